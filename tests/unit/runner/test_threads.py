"""The host's checks are safe from many threads at once (Celery's `--pool threads`,
`lab pack verify`).

CPython 3.11's parser fails with `SystemError: AST constructor recursion depth mismatch`
when two threads build an AST at the same moment; the window opens when the cyclic
garbage collector runs a finalizer in the middle of a parse, as in a busy worker.  The
garbage with finalizers below holds that window open; without worker/core/parsing.py's lock
the same load gave that SystemError (seen here, once or twice per run)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from tests.helpers import ROOT
from worker.core.challenge import load_challenge
from worker.core.config import Limits
from worker.core.kinds.python import _syntax_error
from worker.core.submission import check_submission
from worker.core.testids import expected_tests
from worker.core.verdict import decide, parse_report

CHALLENGES = [c for c in (load_challenge(p.parent) for p in
                          sorted((ROOT / "challenges").glob("*/*/challenge.yaml"))
                          if "kind: quiz" not in p.read_text())
              if c.kind in ("python", "flask")]
REPORT = {"runner": "lab-supervisor/2", "limit_hit": None, "elapsed": 0.1, "output": "",
          "output_bytes": 0, "judge": {"exit_code": 0}, "judge_output": "", "oom_kills": 0,
          "pids_max_hits": 0, "scratch_full": False, "events": [
              {"kind": "start"},
              {"kind": "collected", "tests": [{"id": "t.py::test_a", "base": "t.py::test_a"}]},
              {"kind": "collection_done", "count": 1},
              {"kind": "test", "id": "t.py::test_a", "outcome": "passed"},
              {"kind": "finished", "exitstatus": 0}]}


class _Garbage:
    """A cycle only the cyclic collector frees, whose finalizer lets another thread run."""

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        time.sleep(0)


def _host_checks(challenge) -> None:
    hidden = challenge.test_files("hidden")
    assert expected_tests(hidden)
    solution = {p.name: p.read_bytes() for p in (challenge.path / "solution").iterdir()}
    assert _syntax_error(solution) == ""
    merged = check_submission(solution, challenge.editable, challenge.starter_files(), 128, 512)
    assert _syntax_error({**merged, "broken.py": b"def f(:\n"}).startswith("broken.py, line 1")
    report, problem = parse_report(json.dumps(REPORT).encode())
    assert report is not None, problem
    assert decide(report, {}, "hidden", {}, Limits()).verdict == "passed"
    assert load_challenge(Path(challenge.path)).kind == challenge.kind


def test_eight_threads_of_host_checks_raise_nothing():
    errors: list[BaseException] = []

    def work(offset: int) -> None:
        for n in range(100):
            for _ in range(20):
                _Garbage()
            try:
                _host_checks(CHALLENGES[(offset + n) % len(CHALLENGES)])
            except BaseException as exc:  # noqa: BLE001 - every failure is the finding
                errors.append(exc)

    threads = [threading.Thread(target=work, args=(i * 3,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(CHALLENGES) > 20
    assert errors == [], [f"{type(e).__name__}: {e}" for e in errors[:5]]

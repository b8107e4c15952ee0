"""The gradings `lab pack verify` makes for a hands-on challenge, and what each proves.

For every hands-on challenge: the reference solution passes every hidden (submit) and
public (run) test with the full score; the starter fails at least one hidden test
(unless `starter_may_pass` says why not); every `wrong/<case>` fails at least one; no run
hits a limit; and, for python and flask, no generic cheat (lab/packs/cheats.py) scores
more than the starter.  Each grading is planned on its own so that verify can run them
all at once on a warm pool; `checks_of` judges them when they are done.

`bare_seconds` times the same hidden tests with plain pytest, in one process and no
sandbox (lab/packs/bare/judge.py stands in for the lab's helpers), as the yardstick verify
reports its own time against.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from lab.packs.cheats import CHEATS, cheat_files
from worker.core.challenge import Challenge
from worker.core.kinds import get_kind
from worker.core.result import Result

LIMIT_VERDICTS = {"timeout", "memory_limit", "output_limit", "infra_error"}
BARE_JUDGE = Path(__file__).parent / "bare"


@dataclass
class Check:
    challenge: str
    what: str
    ok: bool
    detail: str = ""
    seconds: float = 0.0


@dataclass
class PlannedRun:
    slug: str
    what: str
    challenge: Challenge
    files: dict[str, bytes]
    mode: str
    role: str  # solution | starter | wrong | cheat
    result: Result | None = None
    seconds: float = 0.0
    error: str = ""  # the grading itself raised (a broken challenge)


def files_in(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} if folder.is_dir() else {}


def plan(slug: str, challenge: Challenge, root: Path) -> list[PlannedRun]:
    solution, starter = files_in(root / "solution"), files_in(root / "starter")
    runs = [PlannedRun(slug, "solution passes hidden tests", challenge, solution, "submit", "solution"),
            PlannedRun(slug, "solution passes public tests", challenge, solution, "run", "solution"),
            PlannedRun(slug, "starter fails a hidden test", challenge, starter, "submit", "starter")]
    wrong = root / "wrong"
    for case in sorted(p for p in wrong.iterdir() if p.is_dir()) if wrong.is_dir() else []:
        runs.append(PlannedRun(slug, f"wrong/{case.name} fails a hidden test", challenge,
                               files_in(case), "submit", "wrong"))
    if get_kind(challenge.kind).python_modules:  # the generic cheats are Python modules
        for name, source in CHEATS.items():
            runs.append(PlannedRun(slug, f"cheat: {name} scores no more than the starter",
                                   challenge, cheat_files(challenge.editable, starter, source),
                                   "submit", "cheat"))
    return runs


def _failing(result: Result) -> str:
    """The run's message, then each test that did not pass, by name, with the first line
    of its message: an author sees which test the reference fails, and why."""
    parts = [result.message] if result.message else []
    parts += [f"{t.name} {t.outcome}" + (f": {t.message.splitlines()[0]}" if t.message else "")
              for t in result.tests if t.outcome != "passed"]
    return "; ".join(parts)[:300]


def checks_of(runs: list[PlannedRun], starter_may_pass: bool) -> list[Check]:
    """What the finished runs of one challenge prove."""
    starter = next((r.result for r in runs if r.role == "starter"), None)
    checks = []
    for run in runs:
        result, seconds = run.result, round(run.seconds, 2)
        if result is None:
            checks.append(Check(run.slug, run.what, False, run.error or "did not run", seconds))
            continue
        if run.role == "starter" and starter_may_pass:
            continue  # graded only as the yardstick of the cheats
        if result.verdict == "infra_error" or (result.verdict in LIMIT_VERDICTS
                                               and run.role != "cheat"):
            checks.append(Check(run.slug, run.what, False, f"{result.verdict}: {result.message}",
                                seconds))
        elif run.role == "solution":
            ok = result.verdict == "passed" and result.score == result.max_score
            detail = "" if ok else (f"{result.verdict}, {result.score} of {result.max_score} "
                                    f"points: {_failing(result)}")
            checks.append(Check(run.slug, run.what, ok, detail, seconds))
        elif run.role in ("starter", "wrong"):
            ok = result.verdict != "passed"
            checks.append(Check(run.slug, run.what, ok, "" if ok else (
                "passed every hidden test; the hidden tests do not catch it"), seconds))
        else:
            floor = starter.score if starter is not None else 0
            ok = result.score <= floor
            detail = "" if ok else (
                f"scores {result.score}/{result.max_score}, more than the starter's {floor}; "
                "it passes: " + ", ".join(t.name for t in result.tests if t.outcome == "passed")[:300])
            checks.append(Check(run.slug, run.what, ok, detail, seconds))
    return checks


def bare_seconds(root: Path, visibility: str = "hidden") -> float | None:
    """Wall time of plain `python -m pytest` on the reference solution and one test
    folder, in a scratch copy: the yardstick.  None when it cannot run here."""
    folder = Path(tempfile.mkdtemp(prefix="lab-bare-"))
    try:
        for name, data in files_in(root / "solution").items():
            (folder / name).write_bytes(data)
        shutil.copytree(root / "tests" / visibility, folder / "tests" / visibility)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(BARE_JUDGE), str(folder)]),
               "PYTHONDONTWRITEBYTECODE": "1"}
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                               f"tests/{visibility}"], cwd=folder, env=env, capture_output=True,
                              timeout=120)
        seconds = time.monotonic() - started
        return seconds if done.returncode in (0, 1) else None
    except (OSError, subprocess.SubprocessError):
        return None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Timing:
    """Verify's own time against bare pytest of the same challenges."""

    seconds: float = 0.0  # verify's wall time for the gradings
    runs: int = 0
    bare: float = 0.0  # the sum, over every grading, of its challenge's bare pytest time
    unmeasured: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        return self.seconds / self.bare if self.bare else None

"""The `python` and `flask` kinds: the candidate's files and the public or hidden pytest
suite, in one sandbox run (Flask apps are tested with the test client inside the same
sandbox)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from worker.core.challenge import Challenge, ChallengeError, load_challenge
from worker.core.kinds.base import SCAFFOLDS
from worker.core.parsing import compile_source
from worker.core.result import Result
from worker.core.sandbox import SandboxJob, candidate_modules
from worker.core.testids import expected_tests
from worker.core.verdict import max_points, run_tests

if TYPE_CHECKING:
    from worker.core.pool import SandboxPool


class PytestKind:
    """Candidate files plus the public or hidden pytest suite, in one sandbox run; a warm
    pool container (worker/core/pool.py) when the caller has a pool."""

    pooled = True  # grade() passes its pool; other kinds always start cold
    needs_sandbox = True
    builds_images = False
    hands_on = True
    python_modules = True
    prompt_file = True
    required_files: tuple[str, ...] = ()
    probes = False

    def __init__(self, name: str) -> None:
        self.name = name
        self.scaffold = SCAFFOLDS / name

    def load(self, path: Path, data: dict) -> Challenge:
        return load_challenge(path, data)

    def grade(self, challenge, files, mode, limits, settings, client, image,
              pool: SandboxPool | None = None) -> Result:
        visibility = "public" if mode == "run" else "hidden"
        tests = challenge.test_files(visibility)
        try:
            expected = expected_tests(tests)
        except SyntaxError as exc:
            raise ChallengeError(f"{challenge.path / exc.filename}, line {exc.lineno}: "
                                 f"test file does not parse: {exc.msg}") from None
        if not expected:
            raise ChallengeError(f"{challenge.tests_dir(visibility)}: no test functions found")
        syntax = _syntax_error(files)
        if syntax:
            return Result(verdict="error", message=syntax,
                          max_score=max_points(expected, challenge.points),
                          limits=limits.as_dict())
        job = SandboxJob(files=files, judge_files=tests, test_paths=[f"tests/{visibility}"],
                         visibility=visibility, modules=candidate_modules(files))
        return run_tests(client, image, job, expected, challenge.points, limits, settings,
                         pool=pool)


def _syntax_error(files: dict[str, bytes]) -> str:
    """Checked on the host so the candidate sees the line even for hidden runs."""
    for name, data in sorted(files.items()):
        if not name.endswith(".py"):
            continue
        try:
            compile_source(data, name)
        except SyntaxError as exc:
            return f"{name}, line {exc.lineno}: {exc.msg}"
        except ValueError as exc:
            return f"{name}: {exc}"
        except (RecursionError, MemoryError):
            # e.g. tens of thousands of nested unary minus signs: the compiler gives up.
            return f"{name}: the code is nested too deeply to compile"
    return ""


PROVIDES = (PytestKind("python"), PytestKind("flask"))

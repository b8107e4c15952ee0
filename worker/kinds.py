"""Challenge kinds: one plugin per kind behind one interface.

A kind turns (challenge, files, mode) into a Result.  The pytest kind serves `python`
and `flask` challenges (Flask apps are tested with the test client inside the same
sandbox); `dockerfile` builds and probes an image first (worker/dockerfile_kind.py).
Quizzes need no container and are scored in lab/quiz.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import docker

from lab.config import Limits, Settings
from worker.challenge import Challenge, ChallengeError
from worker.result import Result
from worker.testids import expected_tests
from worker.verdict import max_points, run_tests

if TYPE_CHECKING:
    from worker.pool import SandboxPool


class Kind(Protocol):
    name: str

    def grade(self, challenge: Challenge, files: dict[str, bytes], mode: str, limits: Limits,
              settings: Settings, client: docker.DockerClient, image: str) -> Result: ...


class PytestKind:
    """Candidate files plus the public or hidden pytest suite, in one sandbox run; a warm
    pool container (worker/pool.py) when the caller has a pool."""

    pooled = True  # grade() passes its pool; other kinds always start cold

    def __init__(self, name: str) -> None:
        self.name = name

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
        return run_tests(client, image, {**files, **tests}, visibility, expected,
                         challenge.points, limits, settings, pool=pool)


def _syntax_error(files: dict[str, bytes]) -> str:
    """Checked on the host so the candidate sees the line even for hidden runs."""
    for name, data in sorted(files.items()):
        if not name.endswith(".py"):
            continue
        try:
            compile(data, name, "exec", dont_inherit=True)
        except SyntaxError as exc:
            return f"{name}, line {exc.lineno}: {exc.msg}"
        except ValueError as exc:
            return f"{name}: {exc}"
        except (RecursionError, MemoryError):
            # e.g. tens of thousands of nested unary minus signs: the compiler gives up.
            return f"{name}: the code is nested too deeply to compile"
    return ""


def _kinds() -> dict[str, Kind]:
    from worker.dockerfile_kind import DockerfileKind

    return {"python": PytestKind("python"), "flask": PytestKind("flask"),
            "dockerfile": DockerfileKind()}


KINDS: dict[str, Kind] = _kinds()


def get_kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise ChallengeError(
            f"kind '{name}' is not supported (known: {', '.join(sorted(KINDS))})") from None

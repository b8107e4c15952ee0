"""The measurements of bench/grade_latency.py (also used by bench/run.py): the bare
pytest and plain `docker run` baselines, the grading core cold and pooled, and the
CLI, each a callable returning (seconds, Outcome); plus the Series they fill."""

from __future__ import annotations

import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchutil import git_state, nearest_rank

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = REPO / ".venv" / "bin"
WARMUP_ROUNDS = 2
SUBPROCESS_TIMEOUT = 300.0
SANDBOX_DIR = "/sandbox"  # the runner image's working directory

if str(REPO) not in sys.path:  # so the benchmarks find lab/ and worker/
    sys.path.insert(0, str(REPO))


class SetupError(RuntimeError):
    """The benchmark cannot run at all; the message says why."""


@dataclass
class Outcome:
    ok: bool
    detail: str = ""


@dataclass
class Series:
    name: str
    samples: list[float] = field(default_factory=list)
    failed: int = 0
    warmup_failed: int = 0
    first_failure: str = ""

    def record(self, seconds: float, outcome: Outcome, warmup: bool) -> None:
        if not warmup:
            self.samples.append(seconds)
        if not outcome.ok:
            if warmup:
                self.warmup_failed += 1
            else:
                self.failed += 1
            if not self.first_failure:
                self.first_failure = outcome.detail




def summarise(series: Series, bare_median: float) -> dict[str, Any]:
    ordered = sorted(series.samples)
    median = statistics.median(ordered) if ordered else math.nan
    p95 = nearest_rank(ordered, 95)
    return {
        "name": series.name,
        "runs": len(ordered),
        "failed": series.failed,
        "warmup_failed": series.warmup_failed,
        "median_s": median,
        "p95_s": p95,
        "min_s": ordered[0] if ordered else math.nan,
        "max_s": ordered[-1] if ordered else math.nan,
        "median_over_bare_median": median / bare_median if bare_median > 0 else math.nan,
        "p95_over_bare_median": p95 / bare_median if bare_median > 0 else math.nan,
        "first_failure": series.first_failure,
    }


def _tail(text: str | bytes | None, limit: int = 300) -> str:
    """The end of some output, on one line, for a failure summary."""
    if text is None:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = " | ".join(line.strip() for line in text.strip().splitlines() if line.strip())
    return text if len(text) <= limit else "..." + text[-limit:]


@dataclass
class ProcessRun:
    seconds: float
    returncode: int | None  # None: killed after SUBPROCESS_TIMEOUT
    stdout: str
    stderr: str

    def outcome(self) -> Outcome:
        if self.returncode is None:
            return Outcome(False, f"timed out after {SUBPROCESS_TIMEOUT:g} s: {_tail(self.stderr)}")
        if self.returncode != 0:
            return Outcome(False, f"exit code {self.returncode}: "
                                  f"{_tail(self.stdout + chr(10) + self.stderr)}")
        return Outcome(True)


def _text(data: bytes | str | None) -> str:
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    return data or ""


def run_process(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> ProcessRun:
    """One subprocess, with the wall-clock seconds around it."""
    started = time.perf_counter()
    try:
        proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True,
                              timeout=SUBPROCESS_TIMEOUT, check=False)
    except subprocess.TimeoutExpired as exc:
        return ProcessRun(time.perf_counter() - started, None, _text(exc.stdout), _text(exc.stderr))
    elapsed = time.perf_counter() - started
    return ProcessRun(elapsed, proc.returncode, _text(proc.stdout), _text(proc.stderr))


def lay_out(folder: Path, files: dict[str, bytes]) -> None:
    """Write files (relative path -> bytes) under folder, readable by any user."""
    folder.chmod(0o755)
    for rel, data in files.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        for parent in target.relative_to(folder).parents:
            (folder / parent).chmod(0o755)
        target.write_bytes(data)
        target.chmod(0o644)


def read_solution(folder: Path) -> dict[str, bytes]:
    """The reference solution's files by name, as `lab grade` reads a submission folder."""
    if not folder.is_dir():
        raise SetupError(f"{folder}: no reference solution folder")
    files = {entry.name: entry.read_bytes() for entry in sorted(folder.iterdir())
             if entry.is_file() and not entry.is_symlink()}
    if not files:
        raise SetupError(f"{folder}: the reference solution folder is empty")
    return files


def build_measurements(challenge_path: Path, workdir: Path, pool: Any = None) -> tuple[
        dict[str, Callable[[], tuple[float, Outcome]]], dict[str, Any]]:
    """The timed callables (lab_grade_pooled only with a `pool`), plus what describes
    this machine and setup."""
    from worker.core.challenge import ChallengeError, load_challenge
    from worker.core.config import load_settings
    from worker.core.grading import grade
    from worker.core.images import image_exists, runner_image
    from worker.core.sandbox import InfraError, connect

    try:
        challenge = load_challenge(challenge_path)
        tests = challenge.test_files("hidden")
    except ChallengeError as exc:
        raise SetupError(str(exc)) from None
    solution_dir = challenge_path / "solution"
    solution = read_solution(solution_dir)
    if not tests:
        raise SetupError(f"{challenge.tests_dir('hidden')}: no hidden test files")

    docker_cli = shutil.which("docker")
    if docker_cli is None:
        raise SetupError("the docker CLI is not on PATH")
    lab_cli = VENV_BIN / "lab"
    if not lab_cli.is_file():
        raise SetupError(f"{lab_cli}: missing (run `make setup`)")
    python = VENV_BIN / "python"
    if not python.is_file():
        raise SetupError(f"{python}: missing (run `make setup`)")
    try:
        client = connect()
    except InfraError as exc:
        raise SetupError(str(exc)) from None
    settings = load_settings()
    image = runner_image(settings)  # the image grade() uses
    if not image_exists(client, image):
        raise SetupError(f"the runner image {image} is missing: run `lab images build`")

    lay_out(workdir, {**solution, **tests})
    test_dir = "tests/hidden"
    # As in the sandbox: no bytecode files, no plugins picked up from the environment (the
    # dev venv has pytest-playwright, whose import would slow the baseline unfairly down).
    baseline_env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1",
                    "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
                    # tests that use the lab's `judge` helpers run with its one-process twin
                    "PYTHONPATH": str(REPO / "lab" / "packs" / "bare")}
    bare_argv = [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", test_dir]
    docker_argv = [
        docker_cli, "run", "--rm", "--network", "none",
        # the same runtime as the lab's sandboxes (LAB_RUNTIME), so the floor compares alike
        *(["--runtime", settings.runtime] if settings.runtime else []),
        "--mount", f"type=bind,source={workdir},target={SANDBOX_DIR},readonly",
        "--mount", f"type=bind,source={REPO / 'lab' / 'packs' / 'bare'},target=/opt/bare,readonly",
        "--workdir", SANDBOX_DIR, "--env", "PYTHONDONTWRITEBYTECODE=1",
        "--env", "PYTHONPATH=/opt/bare",
        image, "python3", "-m", "pytest", "-q", "-p", "no:cacheprovider", test_dir,
    ]
    cli_argv = [str(lab_cli), "grade", str(challenge_path), str(solution_dir),
                "--mode", "submit", "--json"]

    def bare() -> tuple[float, Outcome]:
        run = run_process(bare_argv, cwd=workdir, env=baseline_env)
        return run.seconds, run.outcome()

    def docker_run() -> tuple[float, Outcome]:
        run = run_process(docker_argv, cwd=workdir)
        return run.seconds, run.outcome()

    def lab_grade_core() -> tuple[float, Outcome]:
        started = time.perf_counter()
        try:
            result = grade(challenge, solution, "submit", client=client)
        except Exception:  # noqa: BLE001 - a crash is a failed run, counted and reported
            return time.perf_counter() - started, Outcome(False, _tail(traceback.format_exc()))
        elapsed = time.perf_counter() - started
        if result.verdict != "passed":
            return elapsed, Outcome(False, f"verdict {result.verdict}: {_tail(result.message)}")
        return elapsed, Outcome(True)

    def lab_grade_pooled() -> tuple[float, Outcome]:
        pool.wait_full(120)  # untimed: the steady state of a pool that keeps up
        handed_out = pool.handed_out
        started = time.perf_counter()
        try:
            result = grade(challenge, solution, "submit", client=client, pool=pool)
        except Exception:  # noqa: BLE001 - a crash is a failed run, counted and reported
            return time.perf_counter() - started, Outcome(False, _tail(traceback.format_exc()))
        elapsed = time.perf_counter() - started
        if pool.handed_out != handed_out + 1:
            return elapsed, Outcome(False, "not a pool hit (ran cold)")
        if result.verdict != "passed":
            return elapsed, Outcome(False, f"verdict {result.verdict}: {_tail(result.message)}")
        return elapsed, Outcome(True)

    def lab_grade_cli() -> tuple[float, Outcome]:
        run = run_process(cli_argv, cwd=REPO)
        try:
            data = json.loads(run.stdout)
            verdict, message = data["verdict"], data.get("message", "")
        except (ValueError, TypeError, KeyError):
            outcome = run.outcome()
            if outcome.ok:
                outcome = Outcome(False, f"exit code 0 but no result JSON: {_tail(run.stdout)}")
            return run.seconds, outcome
        if run.returncode != 0 or verdict != "passed":
            code = "timed out" if run.returncode is None else f"exit code {run.returncode}"
            return run.seconds, Outcome(False, f"{code}, verdict {verdict}: {_tail(message)}")
        return run.seconds, Outcome(True)

    try:
        docker_version = str(client.version().get("Version", "?"))
    except Exception:  # noqa: BLE001 - only descriptive
        docker_version = "?"
    context = {
        "git": git_state(),
        "challenge": str(challenge_path.relative_to(REPO)
                         if challenge_path.is_relative_to(REPO) else challenge_path),
        "solution_files": sorted(solution),
        "hidden_test_files": sorted(tests),
        "runner_image": image,
        "docker_server_version": docker_version,
        "host_python": platform.python_version(),
        "platform": platform.platform(),
        "commands": {
            "bare": " ".join(bare_argv),
            "docker_run": " ".join(docker_argv),
            "lab_grade_core": 'worker.core.grading.grade(challenge, files, "submit", client=client)',
            "lab_grade_pooled": 'worker.core.grading.grade(challenge, files, "submit", client=client, '
                                f'pool=<warm pool of {pool.size if pool else 0}>)',
            "lab_grade_cli": " ".join(cli_argv),
        },
        "pool_size": pool.size if pool else 0,
    }
    context["docker_argv"] = docker_argv
    measurements = {"bare": bare, "docker_run": docker_run, "lab_grade_core": lab_grade_core,
                    "lab_grade_cli": lab_grade_cli}
    if pool is not None:
        measurements["lab_grade_pooled"] = lab_grade_pooled
    return measurements, context

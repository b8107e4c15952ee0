"""Validation of an uploaded pack in a child process with a clock and a memory ceiling.

worker/core/safe_yaml.py stops the known YAML tricks, but an upload can still be costly in
ways no single rule names (a few large alias-free documents, huge test files to parse,
templates that are hard to fill).  So the first look at an upload happens in a child
process: `python -m lab.packs.guard`, which caps its own address space (RLIMIT_AS) before
it reads anything, while the parent waits at most `pack_validate_seconds` and then kills
it.  Whatever the pack does, the worker thread gets back a list of problems or a
PackValidationStopped saying which limit was hit; nothing has been written yet.

Why a fresh interpreter (subprocess + `-m`) and not multiprocessing: the callers are
threads (Celery's threads pool, gunicorn's gthread workers).  `fork` would copy locks
that other threads hold at that instant (logging, the database pool, the parser lock of
worker/core/parsing.py) into a child that can then deadlock on them; `spawn`/`forkserver`
re-run the parent's `__main__` (the celery or gunicorn launcher) in the child.  A
subprocess execs at once, shares nothing, and talks JSON over pipes.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from lab.interviews.templates import CatalogItem
from lab.packs.problems import PackError, Problem
from lab.packs.validate import validate_pack
from worker.core.config import Settings

EXIT_OUT_OF_MEMORY = 86  # the child's code for a MemoryError under its RLIMIT_AS
MAX_PROBLEMS = 500  # listed in the report; a hostile pack may have millions
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class GuardedResult:
    """What the child found: its problems (lab.packs.validate.Problem) and counts."""

    problems: list = field(default_factory=list)
    challenges: int = 0
    interviews: int = 0

    @property
    def valid(self) -> bool:
        return not self.problems


class PackValidationStopped(RuntimeError):
    """The child hit a limit (or died); the message is for the uploader."""


def validate_guarded(folder: Path, settings: Settings,
                     catalog: tuple[list, set[str]] | None = None) -> GuardedResult:
    """lab.packs.validate.validate_pack(folder, catalog=catalog) in a child process limited
    to `settings.pack_validate_seconds` and `settings.pack_validate_memory_mb`.
    PackValidationStopped when it does not finish within them."""

    seconds, memory_mb = settings.pack_validate_seconds, settings.pack_validate_memory_mb
    request = {"folder": str(folder), "memory_mb": memory_mb, "catalog": None}
    if catalog is not None:
        items, names = catalog
        request["catalog"] = {"items": [[i.challenge, i.question_id, i.kind, list(i.topics),
                                         i.difficulty] for i in items],
                              "names": sorted(names)}
    env = dict(os.environ)
    # the child imports this source tree, installed or not
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH"))
                                        if p)
    try:
        done = subprocess.run([sys.executable, "-m", "lab.packs.guard"],
                              input=json.dumps(request).encode(), capture_output=True,
                              timeout=seconds, env=env, cwd=PROJECT_ROOT, check=False)
    except subprocess.TimeoutExpired:  # run() has killed and reaped the child
        raise PackValidationStopped(f"pack validation stopped: it took longer than "
                                    f"{seconds:g} s") from None
    if done.returncode == EXIT_OUT_OF_MEMORY:
        raise PackValidationStopped(f"pack validation stopped: it used more than "
                                    f"{memory_mb} MiB")
    if done.returncode < 0:
        name = signal.Signals(-done.returncode).name
        raise PackValidationStopped(f"pack validation stopped: the validating process was "
                                    f"killed ({name}), perhaps for memory")
    try:
        answer = json.loads(done.stdout)
    except ValueError:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        raise PackValidationStopped(f"pack validation failed on our side (exit "
                                    f"{done.returncode}: {tail[0][:300]})") from None
    return GuardedResult(problems=[Problem(**p) for p in answer["problems"]],
                         challenges=answer["challenges"], interviews=answer["interviews"])


def check_upload(folder: Path, settings: Settings, catalog: tuple[list, set[str]]) -> None:
    """The worker's first look at an uploaded pack: validate_guarded, with an invalid pack
    or a limit hit raised as lab.packs.importer.PackError (the upload report lists it and nothing
    is imported, so the versions already stored stay as they are)."""

    try:
        result = validate_guarded(folder, settings, catalog)
    except PackValidationStopped as exc:
        raise PackError(str(exc)) from None
    if not result.valid:
        raise PackError(f"invalid pack ({len(result.problems)} problems)", result.problems)


def _child(request: dict) -> dict:
    """Runs in the child, after the memory cap is set."""

    catalog = None
    if request["catalog"] is not None:
        items = [CatalogItem(c, q, k, tuple(t), d) for c, q, k, t, d in request["catalog"]["items"]]
        catalog = (items, set(request["catalog"]["names"]))
    info = validate_pack(Path(request["folder"]), catalog=catalog)
    problems = info.problems
    if len(problems) > MAX_PROBLEMS:
        problems = problems[:MAX_PROBLEMS] + [
            Problem(str(request["folder"]), f"... and {len(problems) - MAX_PROBLEMS} more problems")]
    return {"problems": [{"file": p.file, "message": p.message, "line": p.line, "field": p.field}
                         for p in problems],
            "challenges": len(info.challenges), "interviews": len(info.interviews)}


def main() -> None:
    request = json.loads(sys.stdin.buffer.read())
    ceiling = int(request["memory_mb"]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
    try:
        answer = json.dumps(_child(request))
    except MemoryError:
        os._exit(EXIT_OUT_OF_MEMORY)  # nothing more can be trusted to allocate
    sys.stdout.write(answer)


if __name__ == "__main__":
    main()

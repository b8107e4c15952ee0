"""The grading core: one function used by `lab grade` and by the Celery task alike.

No Flask, no Celery: a challenge folder, the candidate's files and a mode in, a Result
out.  Engine trouble becomes verdict `infra_error` (retried once here, never counted
against the candidate); a broken challenge raises ChallengeError for the caller.  Kinds
that need no sandbox (quiz) are graded without ever connecting to Docker.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import docker

from worker.core.challenge import Challenge
from worker.core.config import Settings, load_settings
from worker.core.images import runner_image
from worker.core.kinds import get_kind, load_any_challenge
from worker.core.pool import SandboxPool, process_pool
from worker.core.result import Result
from worker.core.sandbox import InfraError, connect
from worker.core.submission import Rejected, check_submission

MODES = ("run", "submit")
log = logging.getLogger(__name__)


def grade(
    challenge: Challenge | str | Path,
    files: dict[str, bytes],
    mode: str = "submit",
    settings: Settings | None = None,
    client: docker.DockerClient | None = None,
    attempts: int = 2,
    pool: SandboxPool | None = None,
) -> Result:
    """Grade `files` (name -> bytes) against a challenge; `mode` is run or submit.
    Python and flask runs take a warm container from `pool`, or from this process's pool
    when a worker started one (worker/core/pool.py); `lab grade` has none and runs cold."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    settings = settings or load_settings()
    if not isinstance(challenge, Challenge):
        challenge = load_any_challenge(challenge)
    kind = get_kind(challenge.kind)
    limits = settings.limits.tightened(challenge.limits, settings.ceiling)
    started = time.monotonic()
    try:
        merged = check_submission(files, challenge.editable, challenge.starter_files(),
                                  settings.max_file_kb, settings.max_submission_kb)
    except Rejected as exc:
        return Result(verdict="rejected", message=str(exc), mode=mode, limits=limits.as_dict())
    if not kind.needs_sandbox:
        result = kind.grade(challenge, merged, mode, limits, settings, None, "")
        result.mode = mode
        result.duration = round(time.monotonic() - started, 4)
        return result
    image = runner_image(settings)
    pool = pool or process_pool()
    warm = {"pool": pool} if pool is not None and kind.pooled else {}
    result = None
    for attempt in range(1, attempts + 1):
        try:
            client = client or (pool.client() if warm else connect())
            result = kind.grade(challenge, merged, mode, limits, settings, client, image, **warm)
            break
        except InfraError as exc:
            log.warning("grading attempt %d failed on our side: %s", attempt, exc)
            result = Result(verdict="infra_error", message=str(exc), limits=limits.as_dict())
            if not exc.retryable:
                break  # the message says what to do
    result.mode = mode
    result.duration = round(time.monotonic() - started, 4)
    return result

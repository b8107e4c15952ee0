"""Gradings from eight threads, as a Celery worker with `--pool threads` runs them:
mixed challenges, one shared engine client and warm pool, the host's checks on every
thread.  No SystemError (the parser), no infra_error, every verdict as expected.

The host's checks run on all eight threads at once; the sandboxes run at most four at
a time, the worker's concurrency in docker-compose.yml.  Eight sandboxes on two cores
measured a wall-clock timeout of a correct solution, which is the machine, not a race.
"""

import threading
from pathlib import Path

import pytest

from tests.helpers import ROOT
from tests.unit.runner.test_threads import _Garbage, _host_checks
from worker.core.challenge import load_challenge
from worker.core.config import load_settings
from worker.core.grading import grade
from worker.core.images import runner_image_tag
from worker.core.pool import SandboxPool

pytestmark = pytest.mark.docker
SLUGS = ["examples/retry-decorator", "examples/generator-pipeline", "python-core/money-value-type",
         "flask-basics/request-id-hooks", "rest-api/etag-conditional-requests",
         "python-more/intervals-and-lru", "flask-data/versioned-books-csv-cors",
         "python-core/closure-factories"]


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def test_eight_threads_grade_mixed_challenges_with_no_failure_of_ours(docker_client):
    settings = load_settings()
    pool = SandboxPool(runner_image_tag("python"), settings.limits, settings.runtime, 4,
                       settings.grace_seconds, settings.reap_after_seconds,
                       settings.pool_max_idle_seconds).start()
    challenges = [load_challenge(ROOT / "challenges" / slug) for slug in SLUGS]
    outcomes: list[tuple[str, str, str]] = []
    sandbox_slots = threading.Semaphore(4)
    errors: list[str] = []

    def work(offset: int) -> None:
        for n in range(100):
            for _ in range(10):
                _Garbage()
            try:
                challenge = challenges[(offset + n) % len(challenges)]
                _host_checks(challenge)
                if n < 3:
                    role = "solution" if n % 2 == 0 else "starter"
                    with sandbox_slots:
                        result = grade(challenge, files_of(challenge.path / role), "submit",
                                       settings=settings, client=docker_client, pool=pool)
                    outcomes.append((challenge.slug, role, result.verdict))
            except BaseException as exc:  # noqa: BLE001 - every failure is the finding
                errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        pool.close()
    assert errors == [], errors[:5]
    assert len(outcomes) == 24
    wrong = [o for o in outcomes if (o[1] == "solution") != (o[2] == "passed")
             or (o[1] == "starter" and o[2] not in ("failed", "error"))]
    assert wrong == [], wrong

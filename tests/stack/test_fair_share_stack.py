"""Fair share on the real stack (`lab up`: nginx, gunicorn, Celery, Redis, Docker): while
candidate A fires eight Submits that spin until the wall clock, candidate B's Submit of
the reference solution still gets its verdict within one run's wall clock.  A's extra
Submits are refused with 429 and Retry-After: one Submit per candidate is in flight."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from tests.stack.test_stack import (
    OPS_TOKEN,
    SOLUTION,
    free_port,
    http,
    spawn_lab_up,
    token_for,
    wait_health,
)

pytestmark = pytest.mark.docker
CHALLENGE = "examples/retry-decorator"
# Spins as soon as the tests import it: every test waits out its own limit, then the
# wall clock ends the run.
SPIN = "while True:\n    pass\n"
WALL_SECONDS = 6  # the ceiling clamps the challenge's own 10 s, to keep the test short
MARGIN_SECONDS = 3.0


def burst_then_reference(env: dict, burst: int = 8) -> tuple[list[tuple[int, dict, str]], float, dict]:
    """Start a lab with `env`; A sends `burst` spinning Submits at once, then B submits the
    reference.  (A's answers as (status, body, Retry-After), B's submit->verdict seconds,
    B's result)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(Path(env["LAB_INSTANCE_PATH"]).parent / "lab-up.log", "w")  # noqa: SIM115
    proc = spawn_lab_up(env, port, output=log)
    try:
        wait_health(base, timeout=90)
        token_a, token_b = token_for(env, "spinner@example.com"), token_for(env, "fair@example.com")
        answers: list[tuple[int, dict, str]] = []
        barrier = threading.Barrier(burst)

        def spin() -> None:
            import json
            import urllib.error
            import urllib.request

            request = urllib.request.Request(
                f"{base}/api/v1/submissions", method="POST",
                data=json.dumps({"challenge": CHALLENGE, "files": {"solution.py": SPIN},
                                 "mode": "submit"}).encode(),
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {token_a}"})
            barrier.wait()
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    answers.append((response.status, json.loads(response.read()), ""))
            except urllib.error.HTTPError as exc:
                answers.append((exc.code, json.loads(exc.read()), exc.headers.get("Retry-After", "")))

        senders = [threading.Thread(target=spin) for _ in range(burst)]
        for thread in senders:
            thread.start()
        for thread in senders:
            thread.join(30)
        time.sleep(0.5)  # A's accepted runs are claimed by the workers
        started = time.monotonic()
        status, body = http("POST", f"{base}/api/v1/submissions", token_b,
                            {"challenge": CHALLENGE, "files": {"solution.py": SOLUTION},
                             "mode": "submit"})
        assert status == 202, body
        while True:  # the POST's own status may already say done: the GET has the verdict
            status, result = http("GET", f"{base}/api/v1/submissions/{body['id']}?wait=5", token_b)
            assert status == 200, result
            if result["status"] == "done" or time.monotonic() - started > 120:
                break
        return answers, time.monotonic() - started, result
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        log.close()


@pytest.fixture
def env(tmp_path):
    # Two grading threads, as on a small machine: without the cap A's eight Submits
    # would hold both for four rounds of the wall clock while B waits (about 19 s here).
    return {**os.environ, "LAB_INSTANCE_PATH": str(tmp_path / "instance"),
            "LAB_SWEEP_EVERY_SECONDS": "1", "LAB_METRICS_TOKEN": OPS_TOKEN,
            "LAB_MAX_WALL_SECONDS": str(WALL_SECONDS), "LAB_TEST_SECONDS": "3",
            "LAB_WORKER_CONCURRENCY": "2"}


def test_a_burst_from_one_candidate_does_not_delay_another(env, docker_client):
    from worker.core.config import load_settings

    wall = load_settings(env).limits.wall_seconds
    assert wall == WALL_SECONDS
    answers, waited, result = burst_then_reference(env)
    print(f"B's verdict {waited:.2f} s after its Submit (wall clock {wall:g} s); "
          f"A: {sorted(a[0] for a in answers)}")
    assert result["verdict"] == "passed", result
    statuses = sorted(status for status, _, _ in answers)
    assert statuses == [202] + [429] * 7, answers
    for status, body, retry in answers:
        if status == 429:
            assert "already have a Submit being graded" in body["error"], body
            assert 2 <= int(retry) <= wall
    assert waited <= wall + MARGIN_SECONDS, f"B waited {waited:.1f} s"

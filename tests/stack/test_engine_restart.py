"""Chaos: the Docker engine is killed with SIGKILL and started again while `lab up` grades
under load.  Every accepted submission ends `passed`, none is graded twice, and /healthz
says grading is paused while the engine is away.

The test restarts only an engine that `make test` started itself (scripts/setup.sh wrote
its pid to instance/dockerd.pid; in CI it always does): an engine a service manager owns
is not ours to kill."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time

import pytest

from tests.helpers import ROOT
from tests.stack.test_stack import (
    OPS_TOKEN,
    SOLUTION,
    free_port,
    http,
    metrics,
    spawn_lab_up,
    token_for,
    wait_health,
)

pytestmark = pytest.mark.docker
ENGINE_PID = ROOT / "instance" / "dockerd.pid"
SUBMISSIONS = 24


def engine_answers() -> bool:
    return subprocess.run(["docker", "info"], capture_output=True, timeout=20).returncode == 0


def restart_engine() -> tuple[float, float]:
    """kill -9 the engine, remove its stale pid file as an operator would, start it again
    as scripts/setup.sh does; (seconds without an engine, time.monotonic() it answered)."""
    old = int(ENGINE_PID.read_text())
    os.kill(old, signal.SIGKILL)
    killed = time.monotonic()
    for _ in range(100):
        try:
            os.kill(old, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    for stale in ("/var/run/docker.pid", "/run/docker.pid"):
        try:
            os.unlink(stale)
        except FileNotFoundError:
            pass
    log = open(ROOT / "instance" / "logs" / "dockerd.log", "ab")
    new = subprocess.Popen(["dockerd"], stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                           start_new_session=True)
    ENGINE_PID.write_text(str(new.pid))
    deadline = time.monotonic() + 60
    while not engine_answers():
        assert time.monotonic() < deadline, "the engine did not come back"
        time.sleep(0.2)
    back = time.monotonic()
    return back - killed, back


@pytest.mark.skipif(not ENGINE_PID.is_file(), reason="the engine was not started by make test "
                                                      "(instance/dockerd.pid): not ours to kill")
def test_grading_rides_out_an_engine_restart(tmp_path, docker_client):
    # One account sends all 24 at once: the per-candidate rate and in-flight cap are off.
    env = {**os.environ, "LAB_INSTANCE_PATH": str(tmp_path / "instance"),
           "LAB_SWEEP_EVERY_SECONDS": "1", "LAB_METRICS_TOKEN": OPS_TOKEN,
           "LAB_SUBMITS_PER_MINUTE": "0", "LAB_SUBMITS_IN_FLIGHT": "0"}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = spawn_lab_up(env, port)
    seen_paused: list[str] = []
    results: dict[int, dict] = {}
    try:
        wait_health(base, timeout=90)
        token = token_for(env, "chaos@example.com")
        ids: list[int] = []

        def submit(count: int) -> None:
            for _ in range(count):
                status, body = http("POST", f"{base}/api/v1/submissions", token,
                                    {"challenge": "examples/retry-decorator",
                                     "files": {"solution.py": SOLUTION}, "mode": "submit"})
                assert status == 202, body
                ids.append(body["id"])

        submitters = [threading.Thread(target=submit, args=(SUBMISSIONS // 4,)) for _ in range(4)]
        for thread in submitters:
            thread.start()
        time.sleep(1.0)  # some are graded, some running, some queued when the engine dies
        stop_watching = threading.Event()

        def watch_health() -> None:
            while not stop_watching.is_set():
                try:
                    _status, body = http("GET", f"{base}/healthz", OPS_TOKEN)
                    text = str(body)
                    if "grading paused: engine unavailable" in text:
                        seen_paused.append(text)
                except OSError:
                    pass
                stop_watching.wait(0.2)

        watcher = threading.Thread(target=watch_health, daemon=True)
        watcher.start()
        downtime, back = restart_engine()
        for thread in submitters:
            thread.join(60)
        assert len(ids) == SUBMISSIONS
        deadline = time.monotonic() + 240
        while len(results) < SUBMISSIONS:
            assert time.monotonic() < deadline, f"{len(results)} of {SUBMISSIONS} done"
            for sid in ids:
                if sid not in results:
                    status, body = http("GET", f"{base}/api/v1/submissions/{sid}", token)
                    if status == 200 and body["status"] == "done":
                        results[sid] = body
            time.sleep(0.3)
        last_verdict = time.monotonic()
        stop_watching.set()
        print(f"engine away {downtime:.1f} s; last verdict {last_verdict - back:.1f} s after it "
              f"answered again")
        verdicts = [body["verdict"] for body in results.values()]
        assert verdicts.count("passed") == SUBMISSIONS, [
            (b["verdict"], b.get("message")) for b in results.values() if b["verdict"] != "passed"]
        assert seen_paused, "/healthz never said that grading was paused"
        # Graded once each: every stored result is recorded once in the metrics.
        deadline = time.monotonic() + 10
        while True:
            exposition = metrics(base)
            counted = sum(float(m) for m in re.findall(
                r'lab_grading_seconds_count\{kind="python",verdict="passed"\} ([0-9.]+)', exposition))
            if counted >= SUBMISSIONS or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        assert counted == SUBMISSIONS, exposition
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
    # Containers the dying engine could not remove are labelled: the reaper finds them
    # once their owner (the worker) is gone.
    from worker.core.reaper import reap
    from worker.core.sandbox import LABEL, connect

    client = connect()
    reap(client, 300)
    left = [c.short_id for c in client.containers.list(all=True, filters={"label": LABEL})
            if c.status != "running"]  # running ones belong to a live grader elsewhere
    assert left == [], left

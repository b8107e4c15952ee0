"""The whole stack with real parts: `lab up` (gunicorn, Celery worker, private Redis),
the Docker engine, submissions through the HTTP API."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import EXAMPLES

pytestmark = pytest.mark.docker
SOLUTION = (EXAMPLES / "retry-decorator" / "solution" / "solution.py").read_text()
# LAB_METRICS_TOKEN of these labs: /metrics and the checks of /healthz are for operators.
OPS_TOKEN = "stack-ops-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def spawn_lab_up(env: dict, port: int, output=subprocess.PIPE) -> subprocess.Popen:
    """`lab up` on `port` in a session of its own (so a test can signal the whole tree)."""
    return subprocess.Popen([sys.executable, "-m", "lab.cli", "up", "--port", str(port)], env=env,
                            stdout=output, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def http(method: str, url: str, token: str | None = None, body: dict | None = None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def lab_cli(env: dict, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "lab.cli", *args], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def token_for(env: dict, email: str) -> str:
    lab_cli(env, "users", "create", email, "--password", "password123")
    return lab_cli(env, "users", "token", email).strip().splitlines()[-1]


def wait_done(base: str, token: str, sid: int, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, body = http("GET", f"{base}/api/v1/submissions/{sid}", token)
        assert status == 200
        if body["status"] == "done":
            return body
        time.sleep(0.1)
    raise AssertionError(f"submission {sid} not done after {timeout} s: {body}")


def wait_health(base: str, timeout: float = 60) -> dict:
    """The checks of /healthz once all are up (the lab's env must hold OPS_TOKEN)."""
    deadline = time.monotonic() + timeout
    body = None
    while time.monotonic() < deadline:
        try:
            status, body = http("GET", f"{base}/healthz", OPS_TOKEN)
            if status == 200:
                return body
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.3)
    raise AssertionError(f"healthz never 200: {body}")


def metrics(base: str) -> str:
    request = urllib.request.Request(f"{base}/metrics",
                                     headers={"Authorization": f"Bearer {OPS_TOKEN}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode()


@pytest.fixture
def env(tmp_path):
    return {**os.environ, "LAB_INSTANCE_PATH": str(tmp_path / "instance"),
            "LAB_SWEEP_EVERY_SECONDS": "1", "LAB_METRICS_TOKEN": OPS_TOKEN}


def test_lab_up_serves_grades_and_stops_cleanly(env, docker_client):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = spawn_lab_up(env, port)
    try:
        health = wait_health(base)
        assert all(part["ok"] for part in health["checks"].values())
        # The operator sees the sandbox runtime the workers grade under.
        assert health["checks"]["runtime"]["detail"] == (env.get("LAB_RUNTIME") or "default")
        assert http("GET", f"{base}/healthz") == (200, {"status": "ok"})  # what anyone sees
        token = token_for(env, "stack@example.com")
        status, body = http("POST", f"{base}/api/v1/submissions", token,
                            {"challenge": "examples/retry-decorator",
                             "files": {"solution.py": SOLUTION}, "mode": "submit"})
        # A fast worker may already have claimed it by the time the response is built.
        assert status == 202 and body["status"] in ("queued", "running", "done")
        result = wait_done(base, token, body["id"])
        assert result["verdict"] == "passed" and result["score"] == result["max_score"] > 0
        status, page = http("GET", f"{base}/api/v1/challenges", token)
        assert status == 200 and page["challenges"]
        deadline = time.monotonic() + 10  # the worker records right after storing
        while True:
            exposition = metrics(base)
            if 'lab_grading_seconds_count{kind="python",verdict="passed"} 1.0' in exposition:
                break
            assert time.monotonic() < deadline, exposition
            time.sleep(0.2)
        assert 'lab_queue_depth{queue="submit"} 0.0' in exposition
        assert 'lab_submissions{status="done"} 1.0' in exposition
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=40)
    assert proc.returncode == 0, out
    assert "stopping" in out
    sock = Path(env["LAB_INSTANCE_PATH"]) / "redis.sock"
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0, "gunicorn still listening"
    leftovers = subprocess.run(["pgrep", "-f", env["LAB_INSTANCE_PATH"]], capture_output=True)
    assert leftovers.stdout == b"", "a child of lab up outlived it"
    assert not sock.exists() or not _redis_answers(sock)


def _redis_answers(sock: Path) -> bool:
    with socket.socket(socket.AF_UNIX) as probe:
        return probe.connect_ex(str(sock)) == 0


def test_worker_killed_mid_run_submission_completes_exactly_once(env, docker_client, tmp_path):
    from lab.ops.launcher import stack_env, start_redis, start_web, start_worker, stop_stack
    from worker.core.config import load_settings

    env.update({"LAB_MAX_WALL_SECONDS": "8", "LAB_GRACE_SECONDS": "2",
                "LAB_STUCK_AFTER_SECONDS": "26", "LAB_REAP_AFTER_SECONDS": "120"})
    settings = load_settings(env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    lab_cli(env, "db", "seed")
    full_env = {**stack_env(settings), **env}
    children = [("redis", start_redis(settings, full_env))]
    try:
        children.append(("web", start_web(settings, full_env, "127.0.0.1", port)))
        # Two workers with different node names and queue sets: the doomed one takes only
        # Submit work; the rescuer takes every queue.
        first = start_worker(load_settings({**env, "LAB_WORKER_QUEUES": "submit"}), full_env,
                             f"doomed-{port}")
        children.append(("first", first))
        token = token_for(env, "kill@example.com")
        slow = "import time\ntime.sleep(4)\n" + SOLUTION
        status, body = http("POST", f"{base}/api/v1/submissions", token,
                            {"challenge": "examples/retry-decorator",
                             "files": {"solution.py": slow}, "mode": "submit"})
        assert status == 202
        sid = body["id"]
        deadline = time.monotonic() + 60
        while http("GET", f"{base}/api/v1/submissions/{sid}", token)[1]["status"] != "running":
            assert time.monotonic() < deadline, "never started running"
            time.sleep(0.05)
        time.sleep(1)
        # The whole worker, pool processes included, dies as a lost machine would.
        subprocess.run(["pkill", "-9", "-f", f"doomed-{port}@"], check=False)
        first.wait(timeout=10)
        assert http("GET", f"{base}/api/v1/submissions/{sid}", token)[1]["status"] == "running"
        children.append(("second", start_worker(settings, full_env, f"rescuer-{port}")))
        result = wait_done(base, token, sid, timeout=120)
        assert result["verdict"] == "passed"
        from lab.app import create_app
        from lab.extensions import db
        from lab.models import Submission

        app = create_app(settings)
        with app.app_context():
            row = db.session.get(Submission, sid)
            assert row.attempts == 2 and row.status == "done"
            finished = row.finished_at
        time.sleep(3)  # late duplicates (redelivery, sweeper) must not store again
        with app.app_context():
            assert db.session.get(Submission, sid).finished_at == finished
    finally:
        stop_stack(children)

"""Pushed results through the real stack: `lab up` (gunicorn gthread, Celery worker, private
Redis), the Docker engine, a long-poll and a Server-Sent Events client."""

from __future__ import annotations

import json
import re
import signal
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest

from tests.helpers import ROOT
from tests.stack.test_stack import SOLUTION, free_port, http, spawn_lab_up, token_for, wait_health

pytestmark = pytest.mark.docker
CHALLENGE = "examples/retry-decorator"
PASSWORD = "password123"  # what token_for gives its accounts


@pytest.fixture
def lab(tmp_path, docker_client):
    import os

    # The predict-the-output keys cache is shared (as in tests/web): seeding takes seconds.
    env = {**os.environ, "LAB_INSTANCE_PATH": str(tmp_path / "instance"),
           "LAB_SWEEP_EVERY_SECONDS": "1", "LAB_CACHE_PATH": str(ROOT / "instance" / "cache")}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = spawn_lab_up(env, port)
    try:
        wait_health(base)
        yield base, env
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=40)
        assert proc.returncode == 0, out


def get_json(url: str, token: str, timeout: float = 40) -> tuple[int, dict, float]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read()), time.monotonic() - started
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read()), time.monotonic() - started


def post_submission(base: str, token: str, files: dict) -> int:
    status, body = http("POST", f"{base}/api/v1/submissions", token,
                        {"challenge": CHALLENGE, "files": files, "mode": "submit"})
    assert status == 202, body
    return body["id"]


def test_post_then_one_long_poll_gives_the_verdict(lab):
    base, env = lab
    token = token_for(env, "push@example.com")
    sid = post_submission(base, token, {"solution.py": SOLUTION})
    gets = 0
    while True:  # one GET is expected; a second only if the worker took more than 30 s
        status, body, took = get_json(f"{base}/api/v1/submissions/{sid}?wait=30", token)
        gets += 1
        assert status == 200
        if body["status"] == "done" or gets == 3:
            break
    assert body["status"] == "done" and body["verdict"] == "passed", body
    assert gets == 1 and took < 20, (gets, took)
    # Hostile values are refused, whoever asks.
    for raw in ("-1", "abc", "10000"):
        status, body, _ = get_json(f"{base}/api/v1/submissions/{sid}?wait={raw}", token)
        assert status == 400 and "'wait'" in body["error"]
    other = token_for(env, "other@example.com")
    for url in (f"{base}/api/v1/submissions/{sid}?wait=5", f"{base}/api/v1/submissions/99999?wait=5"):
        status, _, took = get_json(url, other)
        assert status == 404 and took < 2


def test_waiters_do_not_starve_pages(lab):
    """Twenty long-polls held open on a slow submission; pages still answer quickly."""
    base, env = lab
    token = token_for(env, "many@example.com")
    slow = "import time\ntime.sleep(6)\n" + SOLUTION
    sid = post_submission(base, token, {"solution.py": slow})
    answers: list[tuple[str, float]] = []

    def hold() -> None:
        _, body, took = get_json(f"{base}/api/v1/submissions/{sid}?wait=30", token)
        answers.append((body["status"], took))

    holders = [threading.Thread(target=hold, daemon=True) for _ in range(20)]
    for thread in holders:
        thread.start()
    time.sleep(1.0)
    page_times = []
    for _ in range(10):
        status, _, took = get_json(f"{base}/api/v1/challenges", token, timeout=10)
        assert status == 200
        page_times.append(took)
    for thread in holders:
        thread.join(60)
    assert max(page_times) < 1.0, page_times  # sync workers would queue these behind waiters
    assert len(answers) == 20 and all(status == "done" for status, _ in answers), answers


def browser_session(base: str, email: str) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(CookieJar()))
    page = opener.open(f"{base}/login", timeout=10).read().decode()
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf_token": csrf})
    landed = opener.open(f"{base}/login", data=form.encode(), timeout=10)
    assert "/login" not in landed.url, "login failed"
    return opener


def test_event_stream_delivers_the_final_panel(lab):
    base, env = lab
    token_for(env, "sse@example.com")  # creates the account with PASSWORD
    opener = browser_session(base, "sse@example.com")
    page = opener.open(f"{base}/challenges/{CHALLENGE}", timeout=10).read().decode()
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"file:solution.py": SOLUTION, "mode": "submit",
                                   "csrf_token": csrf}).encode()
    request = urllib.request.Request(f"{base}/challenges/{CHALLENGE}/submissions", data=form,
                                     headers={"Accept": "application/json"})
    with opener.open(request, timeout=10) as response:
        assert response.status == 202
        created = json.loads(response.read())
    started = time.monotonic()
    events = []
    with opener.open(f"{base}{created['events_url']}", timeout=40) as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        name, data = None, []
        for raw in stream:  # the server ends the stream after the final event
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data.append(line[6:])
            elif not line and name == "status":
                events.append(json.loads("".join(data)))
                name, data = None, []
    took = time.monotonic() - started
    assert events and events[-1]["status"] == "done" and events[-1]["verdict"] == "passed", events
    assert 'data-status="done"' in events[-1]["html"]
    assert took < 20, took

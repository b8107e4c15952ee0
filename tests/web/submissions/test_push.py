"""Pushed results: the API long-poll (`?wait=`) and the Server-Sent Events stream, against a
real redis-server (private, on a Unix socket), with results stored as the worker stores them."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import threading
import time

import pytest

from lab.extensions import db
from lab.models import Submission
from lab.submissions import push
from tests.helpers import make_user
from worker.jobs import tasks

GOOD = "def retry(times, exceptions=(Exception,)):\n    return lambda f: f\n"
CHALLENGE = "examples/retry-decorator"


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def redis_url(tmp_path):
    server = shutil.which("redis-server")
    assert server, "redis-server missing (apt-get install redis-server; make test installs it)"
    sock = tmp_path / "redis.sock"
    proc = subprocess.Popen([server, "--port", "0", "--unixsocket", str(sock), "--save", "",
                             "--appendonly", "no"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not sock.exists():
        assert proc.poll() is None and time.monotonic() < deadline, "redis-server did not start"
        time.sleep(0.05)
    yield f"unix://{sock}"
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def live(app, redis_url):
    """The app with a reachable Redis (the shared fixture points at a dead port)."""
    app.config["LAB_SETTINGS"] = dataclasses.replace(app.config["LAB_SETTINGS"],
                                                     redis_url=redis_url)
    return app


def submit(app, token: str) -> int:
    response = app.test_client().post("/api/v1/submissions", headers=auth(token),
                                      json={"challenge": CHALLENGE, "files": {"solution.py": GOOD}})
    assert response.status_code == 202, response.text
    return response.get_json()["id"]


def store_later(app, sid: int, delay: float, verdict: str = "passed") -> threading.Thread:
    """Claim and store a result the way the worker does (worker.jobs.tasks), after `delay`."""
    from worker.core.result import Result
    from worker.jobs.tasks import _claim, _store

    def work() -> None:
        time.sleep(delay)
        with app.app_context():
            token = _claim(sid, 120)
            assert token is not None
            assert _store(sid, token, Result(verdict=verdict, score=3, max_score=3))
            db.session.remove()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


def timed_get(client, url: str, **kw):
    started = time.monotonic()
    response = client.get(url, **kw)
    return response, time.monotonic() - started


@pytest.mark.parametrize("raw", ["-1", "abc", "10000", "30.5", "nan", "inf", "", "1e9", "0x10"])
def test_bad_wait_is_refused_with_400(app, token, raw):
    sid = submit(app, token)
    response = app.test_client().get(f"/api/v1/submissions/{sid}?wait={raw}", headers=auth(token))
    assert response.status_code == 400
    assert "'wait' must be a number of seconds from 0 to 30" in response.get_json()["error"]


def test_unknown_and_foreign_submissions_are_404_at_once(live, token):
    from lab.models import User

    make_user(live, "other@example.com")

    with live.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "other@example.com"))
        other_token = user.new_api_token()
        db.session.commit()
    foreign = submit(live, other_token)
    client = live.test_client()
    for sid in (foreign, 999999):
        response, took = timed_get(client, f"/api/v1/submissions/{sid}?wait=5", headers=auth(token))
        assert response.status_code == 404 and took < 1.0
        assert response.get_json()["error"] == "No such submission."
    # The owner sees it, so the 404 above was about ownership.
    assert client.get(f"/api/v1/submissions/{foreign}", headers=auth(other_token)).status_code == 200


def test_long_poll_answers_when_the_worker_publishes(live, token):
    sid = submit(live, token)
    worker = store_later(live, sid, delay=0.4)
    response, took = timed_get(live.test_client(), f"/api/v1/submissions/{sid}?wait=10",
                               headers=auth(token))
    worker.join(5)
    body = response.get_json()
    assert response.status_code == 200 and body["status"] == "done" and body["verdict"] == "passed"
    # Woken by the message: well before the 2 s safety re-read, let alone the 10 s wait.
    assert 0.35 < took < push.RECHECK_SECONDS - 0.5, took


def test_long_poll_gives_the_current_status_when_the_wait_runs_out(live, token):
    sid = submit(live, token)
    response, took = timed_get(live.test_client(), f"/api/v1/submissions/{sid}?wait=1.2",
                               headers=auth(token))
    assert response.status_code == 200 and response.get_json()["status"] == "queued"
    assert 1.1 < took < 3.0, took


def test_done_submission_and_wait_zero_answer_at_once(live, token):
    sid = submit(live, token)
    response, took = timed_get(live.test_client(), f"/api/v1/submissions/{sid}?wait=0",
                               headers=auth(token))
    assert response.get_json()["status"] == "queued" and took < 0.5
    store_later(live, sid, delay=0).join(5)
    response, took = timed_get(live.test_client(), f"/api/v1/submissions/{sid}?wait=30",
                               headers=auth(token))
    assert response.get_json()["status"] == "done" and took < 0.5


def test_a_lost_message_costs_at_most_one_recheck(live, token, monkeypatch):
    # The message never comes.  Patched where the worker calls it: worker.jobs.tasks imports
    # the function at module top, so a patch of the push module alone would not reach it.
    monkeypatch.setattr(tasks, "publish_done", lambda *a, **k: False)
    sid = submit(live, token)
    store_later(live, sid, delay=0.2)
    response, took = timed_get(live.test_client(), f"/api/v1/submissions/{sid}?wait=10",
                               headers=auth(token))
    assert response.get_json()["status"] == "done"
    assert push.RECHECK_SECONDS - 0.3 < took < push.RECHECK_SECONDS + 1.5, took


def test_without_redis_the_wait_polls_the_database(app, token):
    # The shared fixture's Redis URL points at a closed port: nothing to subscribe to.
    sid = submit(app, token)
    store_later(app, sid, delay=0.3)
    response, took = timed_get(app.test_client(), f"/api/v1/submissions/{sid}?wait=10",
                               headers=auth(token))
    assert response.get_json()["status"] == "done" and took < 2.0, took


def test_a_failed_publish_never_fails_the_store(app, token):
    from worker.core.result import Result
    from worker.jobs.tasks import _claim, _store

    sid = submit(app, token)
    with app.app_context():
        assert push.publish_done(app.config["LAB_SETTINGS"], sid, "passed") is False
        claim = _claim(sid, 120)
        assert _store(sid, claim, Result(verdict="failed", score=1, max_score=3))
        row = db.session.get(Submission, sid)
        assert row.status == "done" and row.verdict == "failed"


def test_publish_reaches_a_subscriber(live):
    import redis

    settings = live.config["LAB_SETTINGS"]
    client = redis.Redis.from_url(settings.redis_url)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe("lab:submission:42")
    pubsub.get_message(timeout=1)
    assert push.publish_done(settings, 42, "passed") is True
    message = pubsub.get_message(timeout=2)
    assert json.loads(message["data"]) == {"id": 42, "status": "done", "verdict": "passed"}
    pubsub.close()


def test_no_spare_thread_means_an_immediate_answer(live, token):
    live.config["LAB_SETTINGS"] = dataclasses.replace(
        live.config["LAB_SETTINGS"], web_threads=push.WEB_THREADS_KEPT_FREE + 1)  # one slot
    first, second = submit(live, token), submit(live, token)
    holder = threading.Thread(target=lambda: live.test_client().get(
        f"/api/v1/submissions/{first}?wait=3", headers=auth(token)), daemon=True)
    holder.start()
    time.sleep(0.5)  # the holder now waits in the only slot
    response, took = timed_get(live.test_client(), f"/api/v1/submissions/{second}?wait=10",
                               headers=auth(token))
    assert response.get_json()["status"] == "queued" and took < 0.5, took
    holder.join(10)
    response, took = timed_get(live.test_client(), f"/api/v1/submissions/{second}?wait=1",
                               headers=auth(token))
    assert took > 0.9, "the slot was not given back"


# ---------------------------------------------------------------- Server-Sent Events


def events_of(response) -> list[dict]:
    """Parse a whole text/event-stream body into its `status` events' data."""
    found = []
    for block in response.get_data(as_text=True).split("\n\n"):
        lines = block.splitlines()
        if "event: status" in lines:
            found.append(json.loads("".join(x[6:] for x in lines if x.startswith("data: "))))
    return found


def test_events_stream_the_panel_until_done(live, candidate):
    response = candidate.post(f"/challenges/{CHALLENGE}/submissions",
                              data={"file:solution.py": GOOD, "mode": "submit",
                                    "csrf_token": candidate.csrf},
                              headers={"Accept": "application/json"})
    assert response.status_code == 202
    body = response.get_json()
    sid = body["id"]
    assert body["events_url"] == f"/submissions/{sid}/events"
    store_later(live, sid, delay=0.4)
    started = time.monotonic()
    stream = candidate.get(body["events_url"])
    assert stream.status_code == 200 and stream.mimetype == "text/event-stream"
    assert stream.headers["Cache-Control"] == "no-store"
    text = stream.get_data(as_text=True)  # ends when the submission is done
    took = time.monotonic() - started
    assert text.startswith("retry: ")
    events = events_of(stream)
    assert [e["status"] for e in events] == ["queued", "done"]
    assert events[-1]["verdict"] == "passed"
    assert 'data-status="done"' in events[-1]["html"] and "Passed" in events[-1]["html"]
    assert took < push.RECHECK_SECONDS - 0.5, took


def test_events_of_a_done_submission_end_at_once(live, candidate):
    response = candidate.post(f"/challenges/{CHALLENGE}/submissions",
                              data={"file:solution.py": GOOD, "mode": "run",
                                    "csrf_token": candidate.csrf},
                              headers={"Accept": "application/json"})
    sid = response.get_json()["id"]
    store_later(live, sid, delay=0, verdict="failed").join(5)
    events = events_of(candidate.get(f"/submissions/{sid}/events"))
    assert len(events) == 1 and events[0]["status"] == "done" and events[0]["verdict"] == "failed"


def test_events_are_private_and_need_a_session(live, candidate, token):
    sid = submit(live, token)  # belongs to api@example.com, not to the candidate
    assert candidate.get(f"/submissions/{sid}/events").status_code == 404
    assert candidate.get("/submissions/999999/events").status_code == 404
    anonymous = live.test_client().get(f"/submissions/{sid}/events")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_events_refused_when_no_thread_is_spare(live, candidate):
    live.config["LAB_SETTINGS"] = dataclasses.replace(
        live.config["LAB_SETTINGS"], web_threads=push.WEB_THREADS_KEPT_FREE + 1)
    response = candidate.post(f"/challenges/{CHALLENGE}/submissions",
                              data={"file:solution.py": GOOD, "mode": "run",
                                    "csrf_token": candidate.csrf},
                              headers={"Accept": "application/json"})
    sid = response.get_json()["id"]
    release = push.take_wait_slot(push.WEB_THREADS_KEPT_FREE + 1)
    assert release is not None
    try:
        busy = candidate.get(f"/submissions/{sid}/events")
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "1"
    finally:
        release()
    store_later(live, sid, delay=0).join(5)
    assert candidate.get(f"/submissions/{sid}/events").status_code == 200


def test_web_workers_and_threads_are_settings():
    from worker.core.config import ConfigError, load_settings

    settings = load_settings({"LAB_WEB_WORKERS": "3", "LAB_WEB_THREADS": "8"})
    assert (settings.web_workers, settings.web_threads) == (3, 8)
    assert (load_settings({}).web_workers, load_settings({}).web_threads) == (2, 32)
    for bad in ({"LAB_WEB_THREADS": "0"}, {"LAB_WEB_WORKERS": "many"}):
        with pytest.raises(ConfigError):
            load_settings(bad)

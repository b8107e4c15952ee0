"""One candidate cannot crowd out the others: per-candidate rates of Run, Submit and
draft saves, and a cap on queued or running submissions per candidate and mode (429
with Retry-After and a clear message, in the pages, the API and interviews)."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest
from sqlalchemy import select

from lab.extensions import db
from lab.models import InterviewItem, Submission, User
from lab.submissions import service
from tests.helpers import make_user
from tests.web.interview_helpers import add_template

PAGE = "/challenges/examples/retry-decorator"
CODE = "def retry(times, exceptions=(Exception,)):\n    return lambda f: f\n"


@pytest.fixture
def capped(app):
    """The default caps (the web tests' app has them off: nothing grades here)."""
    app.config["LAB_SETTINGS"] = replace(app.config["LAB_SETTINGS"], runs_in_flight=1,
                                         submits_in_flight=1)
    return app


def _api(client, token: str, mode: str = "submit", challenge: str = "examples/retry-decorator"):
    return client.post("/api/v1/submissions", headers={"Authorization": f"Bearer {token}"},
                       json={"challenge": challenge, "files": {"solution.py": CODE}, "mode": mode})


def _page(client, mode: str, json: bool = True):
    return client.post(f"{PAGE}/submissions", data={"file:solution.py": CODE, "mode": mode,
                                                    "csrf_token": client.csrf},
                       headers={"Accept": "application/json"} if json else {})


def _finish(app, submission_id: int) -> None:
    with app.app_context():
        row = db.session.get(Submission, submission_id)
        row.status, row.verdict = "done", "failed"
        db.session.commit()


def test_a_second_submit_waits_for_the_verdict_of_the_first(capped, candidate):
    first = _page(candidate, "submit")
    assert first.status_code == 202
    second = _page(candidate, "submit")
    assert second.status_code == 429
    assert "You already have a Submit being graded; wait for its verdict" in second.get_json()["error"]
    assert 2 <= int(second.headers["Retry-After"]) <= 5  # the tests' wall clock is 5 s
    # A Run is another lane; its own second one waits too.
    run = _page(candidate, "run")
    assert run.status_code == 202
    assert _page(candidate, "run").status_code == 429
    # Without JavaScript: the error page says it, with the same header.
    page = _page(candidate, "submit", json=False)
    assert page.status_code == 429 and "wait for its verdict" in page.text
    assert int(page.headers["Retry-After"]) >= 2
    _finish(capped, first.get_json()["id"])
    assert _page(candidate, "submit").status_code == 202
    with capped.app_context():
        assert db.session.query(Submission).count() == 3  # refused ones are not stored


def test_the_api_refuses_the_same_way(capped, token):
    client = capped.test_client()
    assert _api(client, token).status_code == 202
    refused = _api(client, token)
    body = refused.get_json()
    assert refused.status_code == 429 and body["status"] == 429
    assert "already have a Submit being graded" in body["error"]
    assert int(refused.headers["Retry-After"]) == body["retry_after"] >= 2
    assert _api(client, token, mode="run").status_code == 202


def test_each_candidate_has_their_own_lane(capped, candidate, token):
    assert _api(capped.test_client(), token).status_code == 202
    assert _page(candidate, "submit").status_code == 202


def test_interview_submissions_count_too(capped, candidate):
    from tests.web.interview_helpers import start

    interview_id = start(candidate, add_template(capped, 600))
    with capped.app_context():
        task = db.session.scalars(select(InterviewItem).where(
            InterviewItem.interview_id == interview_id, InterviewItem.question_id.is_(None))).one()
        number, task_id, busy = task.position + 1, task.id, task.challenge.public_id
    url = f"/interviews/{interview_id}/items/{number}/submissions"
    submit = {"mode": "submit", "csrf_token": candidate.csrf}
    accepted = candidate.post(url, data=submit, headers={"Accept": "application/json"})
    assert accepted.status_code == 202
    again = candidate.post(url, data=submit, headers={"Accept": "application/json"})
    assert again.status_code == 429 and "wait for its verdict" in again.get_json()["error"]
    assert int(again.headers["Retry-After"]) >= 2
    # A practice Submit of another challenge waits for the interview's too, and the reverse.
    other = next(p for p in ("examples/retry-decorator", "examples/generator-pipeline") if p != busy)
    with capped.app_context():
        files = {f"file:{name}": text for name, text in service.find_challenge(other).starter.items()}
    practice = candidate.post(f"/challenges/{other}/submissions", headers={"Accept": "application/json"},
                              data={**files, "mode": "submit", "csrf_token": candidate.csrf})
    assert practice.status_code == 429
    with capped.app_context():
        submitted_at = db.session.get(InterviewItem, task_id).submitted_at
    _finish(capped, accepted.get_json()["id"])
    assert candidate.post(url, data=submit, headers={"Accept": "application/json"}).status_code == 202
    with capped.app_context():
        # The refused Submit did not mark the item as submitted at its own time.
        assert db.session.get(InterviewItem, task_id).submitted_at > submitted_at


def test_the_interview_api_refuses_with_retry_after(capped, token):
    client = capped.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    started = client.post("/api/v1/interviews", json={"template": add_template(capped, 600)},
                          headers=auth).get_json()
    number = next(i["number"] for i in started["items"] if "files" in i)
    url = f"/api/v1/interviews/{started['id']}/items/{number}/submissions"
    assert client.post(url, json={"mode": "run"}, headers=auth).status_code == 202
    refused = client.post(url, json={"mode": "run"}, headers=auth)
    assert refused.status_code == 429 and "You already have a Run being graded" in refused.get_json()["error"]
    assert int(refused.headers["Retry-After"]) >= 2


def test_the_lab_own_submissions_are_not_capped(capped, candidate):
    """An interview graded at its deadline stores a Submit per task, whatever is running."""
    assert _page(candidate, "submit").status_code == 202
    with capped.test_request_context():
        user = db.session.scalar(select(User).where(User.email == "cand@example.com"))
        challenge = service.find_challenge("examples/timer-context-manager")
        files = dict(challenge.starter)
        with pytest.raises(service.SubmissionError) as refused:
            service.create_submission(user, challenge, files, "submit")
        assert refused.value.status == 429 and refused.value.retry_after >= 2
        service.create_submission(user, challenge, files, "submit", enqueue_now=False,
                                  limit_in_flight=False)


def test_two_requests_at_the_same_moment_cannot_both_pass(capped, monkeypatch):
    """Eight threads submit for one candidate at once; the count is slowed down so that
    without the lock every one of them would count zero before any inserts."""
    make_user(capped, "racer@example.com")
    counting = service._in_flight

    def slow_count(user_id: int, mode: str):
        found = counting(user_id, mode)
        time.sleep(0.2)
        return found

    monkeypatch.setattr(service, "_in_flight", slow_count)
    barrier = threading.Barrier(8)
    outcomes: list[int] = []

    def submit() -> None:
        with capped.test_request_context():
            user = db.session.scalar(select(User).where(User.email == "racer@example.com"))
            challenge = service.find_challenge("examples/retry-decorator")
            barrier.wait()
            try:
                service.create_submission(user, challenge, {"solution.py": CODE}, "submit")
                outcomes.append(202)
            except service.SubmissionError as exc:
                outcomes.append(exc.status)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == [202] + [429] * 7, outcomes
    with capped.app_context():
        assert db.session.query(Submission).count() == 1


def test_submits_are_rate_limited_per_candidate_across_page_and_api(app, candidate):
    """In-flight caps off (as in all web tests): the per-minute rate is what stops this."""
    for _ in range(10):
        assert _page(candidate, "submit").status_code == 202
    refused = _page(candidate, "submit")
    assert refused.status_code == 429
    assert "Too many Submits: at most 10 a minute" in refused.get_json()["error"]
    assert 0 < int(refused.headers["Retry-After"]) <= 61
    assert _page(candidate, "run").status_code == 202  # Runs have their own budget


def test_the_rate_is_shared_by_the_api_and_kept_per_candidate(app, candidate, token):
    client = app.test_client()
    for _ in range(10):
        assert _api(client, token).status_code == 202
    refused = _api(client, token)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Too many Submits" in refused.get_json()["error"]
    assert _page(candidate, "submit").status_code == 202  # another candidate


def test_runs_are_rate_limited(app, token):
    client = app.test_client()
    for _ in range(30):
        assert _api(client, token, mode="run").status_code == 202
    refused = _api(client, token, mode="run")
    assert refused.status_code == 429 and "at most 30 a minute" in refused.get_json()["error"]


def test_draft_saves_are_rate_limited(app, candidate):
    headers = {"X-CSRFToken": candidate.csrf}
    for number in range(app.config["LAB_SETTINGS"].draft_saves_per_minute):
        saved = candidate.put(f"{PAGE}/draft", json={"files": {"solution.py": f"# {number}\n"}},
                              headers=headers)
        assert saved.status_code == 200
    refused = candidate.put(f"{PAGE}/draft", json={"files": {"solution.py": "# more\n"}},
                            headers=headers)
    assert refused.status_code == 429 and "Too many draft saves" in refused.text
    assert int(refused.headers["Retry-After"]) > 0

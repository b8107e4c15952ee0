"""Invites and the live view of a led interview, through the pages: who may watch, what
a watcher sees, and every way a link can be wrong."""

from __future__ import annotations

import json
import re

import pytest

from lab.extensions import db
from lab.interviews import watchers
from lab.models import InterviewWatcher
from tests.helpers import login, make_user
from tests.web.interview_helpers import add_template, items_of, start


@pytest.fixture
def interview(app, candidate):
    return start(candidate, add_template(app, 600))


def _client(app, email: str, role: str = "candidate"):
    make_user(app, email, role)
    client = app.test_client()
    client.csrf = login(client, email)
    return client


def make_invite(candidate, interview_id: int) -> str:
    """Make a link as the candidate does, and read it off the page it is shown on."""
    made = candidate.post(f"/interviews/{interview_id}/watchers",
                          data={"csrf_token": candidate.csrf})
    assert made.status_code == 303, made.text
    page = candidate.get(made.headers["Location"]).text
    link = re.search(r'id="invite-link" value="([^"]+)"', page)
    assert link, "the new link is not on the page"
    return link.group(1).split("/watch/")[1]


def accept(client, token: str):
    return client.post(f"/watch/{token}", data={"csrf_token": client.csrf})


def test_an_invited_interviewer_watches_and_sees_the_code_as_saved(app, candidate, interview):
    token = make_invite(candidate, interview)
    coach = _client(app, "coach@example.com")
    confirm = coach.get(f"/watch/{token}")
    assert confirm.status_code == 200
    assert "cand@example.com" in confirm.text and "Accept and watch" in confirm.text
    assert confirm.headers["Referrer-Policy"] == "no-referrer"
    accepted = accept(coach, token)
    assert accepted.status_code == 303
    assert accepted.headers["Location"] == f"/watch/interviews/{interview}"
    task = next(i for i in items_of(app, interview) if not i["question"])
    name = next(iter(task["starter"]))
    saved = candidate.put(f"/interviews/{interview}/items/{task['number']}/draft",
                          json={"files": {name: "def typed_live():\n    return 42\n"}},
                          headers={"X-CSRFToken": candidate.csrf})
    assert saved.status_code == 200, saved.text
    candidate.get(f"/interviews/{interview}/items/{task['number']}")  # now on screen
    page = coach.get(f"/watch/interviews/{interview}")
    assert page.status_code == 200
    assert "def typed_live():" in page.text
    state = coach.get(f"/watch/interviews/{interview}/state").get_json()
    assert state["current_item"] == task["number"]
    files = state["items"][task["number"] - 1]["files"]
    assert files[name] == "def typed_live():\n    return 42\n"
    assert 0 < state["seconds_left"] <= 600
    # The link is the coach's now: opening it again leads to the view, not to a refusal.
    again = coach.get(f"/watch/{token}")
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/watch/interviews/{interview}")
    # The candidate sees who watches: on the page and in the clock's answer.
    item_page = candidate.get(f"/interviews/{interview}/items/1").text
    assert re.search(r'id="watch-names">coach@example.com<', item_page)
    clock = candidate.get(f"/interviews/{interview}/clock").get_json()
    assert clock["watchers"] == ["coach@example.com"]
    assert clock["live_save_ms"] == watchers.LIVE_SAVE_MS


def test_the_stream_sends_the_state_to_a_watcher_only(app, candidate, interview):
    token = make_invite(candidate, interview)
    coach = _client(app, "coach@example.com")
    accept(coach, token)
    candidate.post(f"/interviews/{interview}/finish", data={"csrf_token": candidate.csrf})
    stream = coach.get(f"/watch/interviews/{interview}/events")
    assert stream.status_code == 200
    assert stream.mimetype == "text/event-stream"
    events = [block for block in stream.get_data(as_text=True).split("\n\n") if "event: state" in block]
    assert events, "no state event"
    last = json.loads(events[-1].split("data: ", 1)[1])
    assert last["status"] in ("grading", "done") and last["seconds_left"] == 0
    # Without a session: sent to log in, no event.
    anonymous = app.test_client().get(f"/watch/interviews/{interview}/events")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert b"event:" not in anonymous.data


def test_nobody_else_sees_the_interview(app, candidate, interview):
    for email, role in (("other@example.com", "candidate"), ("teach@example.com", "instructor")):
        stranger = _client(app, email, role)
        for path in ("", "/state", "/events"):
            assert stranger.get(f"/watch/interviews/{interview}{path}").status_code == 404
    # The candidate is not a watcher of their own interview either.
    assert candidate.get(f"/watch/interviews/{interview}/state").status_code == 404


def test_a_watcher_of_one_interview_cannot_reach_another(app, candidate, interview):
    accept(coach := _client(app, "coach@example.com"), make_invite(candidate, interview))
    other = _client(app, "second@example.com")
    second = start(other, add_template(app, 600, slug="second"))
    other.post(f"/interviews/{second}/finish", data={"csrf_token": other.csrf})  # replay open
    for path in ("", "/state", "/events", "/timeline", "/replay"):
        assert coach.get(f"/watch/interviews/{second}{path}").status_code == 404
    for path in ("notes", "review", "share"):
        assert coach.post(f"/watch/interviews/{second}/{path}", json={},
                          headers={"X-CSRFToken": coach.csrf}).status_code == 404
    # Nor anything else of the candidate: their practice history, submissions, interviews.
    assert coach.get(f"/interviews/{interview}").status_code == 404
    assert coach.get(f"/interviews/{interview}/items/1").status_code == 404


@pytest.mark.parametrize("token", ["x", "A" * 32, "A" * 500, "%00" * 20, "%E2%80%AE" * 8,
                                   "..%2f..%2fetc"])
def test_an_unknown_link_says_so(app, candidate, interview, token):
    make_invite(candidate, interview)  # a real link exists; these are not it
    coach = _client(app, "coach@example.com")
    for response in (coach.get(f"/watch/{token}"), accept(coach, token)):
        assert response.status_code == 404
        if "%2f" not in token:  # a slash makes it another path, which no route answers
            assert "This invite link is not valid" in response.text
    with app.app_context():
        assert db.session.query(InterviewWatcher).filter(InterviewWatcher.user_id.isnot(None)).count() == 0


def test_a_used_link_is_refused_to_a_second_person(app, candidate, interview):
    token = make_invite(candidate, interview)
    accept(_client(app, "coach@example.com"), token)
    late = _client(app, "late@example.com")
    for response in (late.get(f"/watch/{token}"), accept(late, token)):
        assert response.status_code == 410
        assert "already used by someone else" in response.text
    assert late.get(f"/watch/interviews/{interview}/state").status_code == 404


def test_a_revoked_watcher_loses_the_view_at_once(app, candidate, interview):
    token = make_invite(candidate, interview)
    coach = _client(app, "coach@example.com")
    accept(coach, token)
    assert coach.get(f"/watch/interviews/{interview}/state").status_code == 200
    with app.app_context():
        row = db.session.query(InterviewWatcher).one()
    revoked = candidate.post(f"/interviews/{interview}/watchers/{row.id}/revoke",
                             data={"csrf_token": candidate.csrf})
    assert revoked.status_code == 303
    assert "can no longer watch" in candidate.get(revoked.headers["Location"]).text
    assert coach.get(f"/watch/interviews/{interview}/state").status_code == 404
    assert coach.get(f"/watch/interviews/{interview}/events").status_code == 404
    response = coach.get(f"/watch/{token}")
    assert response.status_code == 410 and "revoked" in response.text
    # The list still names who watched, as revoked.
    assert 'data-state="revoked"' in candidate.get(f"/interviews/{interview}/items/1").text


def test_an_unused_revoked_link_cannot_be_claimed(app, candidate, interview):
    token = make_invite(candidate, interview)
    with app.app_context():
        row = db.session.query(InterviewWatcher).one()
    candidate.post(f"/interviews/{interview}/watchers/{row.id}/revoke",
                   data={"csrf_token": candidate.csrf})
    coach = _client(app, "coach@example.com")
    assert accept(coach, token).status_code == 410
    assert coach.get(f"/watch/interviews/{interview}/state").status_code == 404


def test_the_candidate_cannot_claim_their_own_link(app, candidate, interview):
    token = make_invite(candidate, interview)
    response = accept(candidate, token)
    assert response.status_code == 403 and "your own interview" in response.text
    with app.app_context():
        assert db.session.query(InterviewWatcher).one().user_id is None


def test_a_claim_needs_a_session_and_a_csrf_token(app, candidate, interview):
    token = make_invite(candidate, interview)
    anonymous = app.test_client()
    assert anonymous.post(f"/watch/{token}").status_code == 400  # CSRF is checked first
    page = anonymous.get(f"/watch/{token}")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    coach = _client(app, "coach@example.com")
    assert coach.post(f"/watch/{token}").status_code == 400
    with app.app_context():
        assert db.session.query(InterviewWatcher).one().user_id is None


def test_links_are_capped_and_refusals_go_back_to_the_interview(app, candidate, interview):
    for _ in range(watchers.MAX_OPEN_INVITES):
        make_invite(candidate, interview)
    refused = candidate.post(f"/interviews/{interview}/watchers", data={"csrf_token": candidate.csrf})
    assert refused.status_code == 303
    page = candidate.get(refused.headers["Location"], follow_redirects=True).text
    assert f"At most {watchers.MAX_OPEN_INVITES} invite links" in page
    with app.app_context():
        assert db.session.query(InterviewWatcher).count() == watchers.MAX_OPEN_INVITES


def test_revoking_someone_elses_watcher_is_404(app, candidate, interview):
    other = _client(app, "second@example.com")
    second = start(other, add_template(app, 600, slug="second"))
    make_invite(other, second)
    with app.app_context():
        row = db.session.query(InterviewWatcher).one()
    response = candidate.post(f"/interviews/{interview}/watchers/{row.id}/revoke",
                              data={"csrf_token": candidate.csrf})
    assert response.status_code == 303  # back to the candidate's own interview, said
    assert "No such watcher" in candidate.get(response.headers["Location"], follow_redirects=True).text
    with app.app_context():
        assert db.session.get(InterviewWatcher, row.id).revoked_at is None


def test_an_admin_joins_without_a_link_and_is_listed(app, candidate, interview):
    admin = _client(app, "root@example.com", "admin")
    page = admin.get(f"/watch/interviews/{interview}")
    assert page.status_code == 200 and "Join and watch" in page.text
    assert admin.get(f"/watch/interviews/{interview}/state").status_code == 404  # not yet
    joined = admin.post(f"/watch/interviews/{interview}/join", data={"csrf_token": admin.csrf})
    assert joined.status_code == 303
    assert admin.get(f"/watch/interviews/{interview}/state").status_code == 200
    assert candidate.get(f"/interviews/{interview}/clock").get_json()["watchers"] == ["root@example.com"]
    # An instructor has no such right.
    teacher = _client(app, "teach@example.com", "instructor")
    assert teacher.post(f"/watch/interviews/{interview}/join",
                        data={"csrf_token": teacher.csrf}).status_code == 404


def test_no_link_once_the_interview_is_over(app, candidate, interview):
    candidate.post(f"/interviews/{interview}/finish", data={"csrf_token": candidate.csrf})
    response = candidate.post(f"/interviews/{interview}/watchers", data={"csrf_token": candidate.csrf})
    assert response.status_code == 303
    assert "nothing left to watch" in candidate.get(response.headers["Location"],
                                                    follow_redirects=True).text


def test_a_watcher_cannot_write_to_the_interview(app, candidate, interview):
    coach = _client(app, "coach@example.com")
    accept(coach, make_invite(candidate, interview))
    with app.app_context():
        watcher_id = db.session.query(InterviewWatcher).one().id
    form = {"csrf_token": coach.csrf}
    json_headers = {"X-CSRFToken": coach.csrf}
    sent = [
        coach.put(f"/interviews/{interview}/items/1/draft", json={"files": {}}, headers=json_headers),
        coach.post(f"/interviews/{interview}/items/1/submissions", data={**form, "mode": "run"}),
        coach.post(f"/interviews/{interview}/items/1/answer", data=form),
        coach.post(f"/interviews/{interview}/items/1/hint", data=form),
        coach.post(f"/interviews/{interview}/items/1/time", json={"seconds": 5}, headers=json_headers),
        coach.post(f"/interviews/{interview}/finish", data=form),
        coach.post(f"/interviews/{interview}/watchers", data=form),
        coach.post(f"/interviews/{interview}/watchers/{watcher_id}/revoke", data=form),
        coach.put(f"/api/v1/interviews/{interview}/items/1/draft", json={"files": {}},
                  headers=json_headers),
        coach.post(f"/api/v1/interviews/{interview}/finish", json={}, headers=json_headers),
    ]
    assert [r.status_code for r in sent] == [404] * len(sent)
    with app.app_context():
        row = db.session.get(InterviewWatcher, watcher_id)
        assert row.revoked_at is None and db.session.query(InterviewWatcher).count() == 1
    assert candidate.get(f"/interviews/{interview}/clock").get_json()["status"] == "active"

"""Led interviews through the JSON API with bearer tokens: the candidate invites and
revokes, the interviewer accepts, reads the live state, writes notes and a review and
shares it; both export the timeline after the end.  Hostile tokens and ids are 404."""

from __future__ import annotations

from sqlalchemy import select

from lab.extensions import db
from lab.models import User
from tests.helpers import make_user
from tests.web.interview_helpers import add_template


def bearer(app, email: str) -> dict:
    make_user(app, email)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        value = user.new_api_token()
        db.session.commit()
    return {"Authorization": f"Bearer {value}"}


def test_a_led_interview_through_the_api(app):
    client = app.test_client()
    candidate, coach, other = (bearer(app, f"{who}@example.com") for who in ("cand", "coach", "other"))
    started = client.post("/api/v1/interviews", json={"template": add_template(app, 600)},
                          headers=candidate)
    assert started.status_code == 201
    interview = started.get_json()["id"]
    task = next(i for i in started.get_json()["items"] if "files" in i)
    invite = client.post(f"/api/v1/interviews/{interview}/invites", headers=candidate)
    assert invite.status_code == 201
    token = invite.get_json()["token"]
    assert invite.get_json()["url"].endswith(f"/watch/{token}")
    # Nobody but the owner makes or lists invites.
    assert client.post(f"/api/v1/interviews/{interview}/invites", headers=coach).status_code == 404
    assert client.get(f"/api/v1/interviews/{interview}/watchers", headers=coach).status_code == 404
    assert client.get(f"/api/v1/watching/{interview}", headers=coach).status_code == 404

    assert client.post(f"/api/v1/invites/{token}/accept", headers=candidate).status_code == 403
    accepted = client.post(f"/api/v1/invites/{token}/accept", headers=coach)
    assert accepted.status_code == 200 and accepted.get_json() == {"interview": interview}
    assert client.post(f"/api/v1/invites/{token}/accept", headers=other).status_code == 410
    assert client.post("/api/v1/invites/not-a-real-token-at-all/accept", headers=other).status_code == 404
    listed = client.get(f"/api/v1/interviews/{interview}/watchers", headers=candidate).get_json()
    assert [(w["email"], w["state"]) for w in listed["watchers"]] == [("coach@example.com", "watching")]

    state = client.get(f"/api/v1/watching/{interview}", headers=coach).get_json()
    assert state["status"] == "active" and len(state["items"]) == len(started.get_json()["items"])
    note = client.post(f"/api/v1/watching/{interview}/notes", headers=coach,
                       json={"body": "API-NOTE", "item": task["number"]})
    assert note.status_code == 201
    assert [n["body"] for n in client.get(f"/api/v1/watching/{interview}/notes",
                                          headers=coach).get_json()["notes"]] == ["API-NOTE"]
    review = client.put(f"/api/v1/watching/{interview}/review", headers=coach,
                        json={"scores": {str(task["number"]): {"testing": 2}}, "summary": "ok"})
    assert review.status_code == 200 and review.get_json()["rubrics"][0]["criteria"]
    bad = client.put(f"/api/v1/watching/{interview}/review", headers=coach,
                     json={"scores": {str(task["number"]): {"testing": 7}}})
    assert bad.status_code == 422 and "1, 2, 3 or 4" in bad.get_json()["error"]
    assert client.post(f"/api/v1/watching/{interview}/share", headers=coach).status_code == 409
    for path in (f"/api/v1/interviews/{interview}/timeline", ):
        assert client.get(path, headers=candidate).status_code == 403
    assert client.get(f"/api/v1/watching/{interview}/timeline", headers=coach).status_code == 403

    client.post(f"/api/v1/interviews/{interview}/finish", headers=candidate)
    assert client.post(f"/api/v1/watching/{interview}/share", headers=coach).status_code == 200
    mine = client.get(f"/api/v1/interviews/{interview}/timeline", headers=candidate).get_json()
    assert [n["body"] for n in mine["notes"]] == ["API-NOTE"]  # shared now
    theirs = client.get(f"/api/v1/watching/{interview}/timeline", headers=coach).get_json()
    assert theirs["duration_ms"] == mine["duration_ms"]

    # Revoked: the interviewer's API access ends at once.
    watcher_id = listed["watchers"][0]["id"]
    revoked = client.post(f"/api/v1/interviews/{interview}/watchers/{watcher_id}/revoke",
                          headers=candidate)
    assert revoked.status_code == 200 and revoked.get_json()["state"] == "revoked"
    for path in ("", "/notes", "/review", "/timeline"):
        assert client.get(f"/api/v1/watching/{interview}{path}", headers=coach).status_code == 404
    assert client.get(f"/api/v1/watching/{interview}", headers=other).status_code == 404


def test_broken_bodies_are_refused_with_the_reason(app):
    client = app.test_client()
    candidate, coach = bearer(app, "cand@example.com"), bearer(app, "coach@example.com")
    interview = client.post("/api/v1/interviews", json={"template": add_template(app, 600)},
                            headers=candidate).get_json()["id"]
    token = client.post(f"/api/v1/interviews/{interview}/invites", headers=candidate).get_json()["token"]
    client.post(f"/api/v1/invites/{token}/accept", headers=coach)
    for body, says in ((b"", "empty"), (b"[1]", "JSON object"), (b"{bad", "not valid JSON")):
        response = client.post(f"/api/v1/watching/{interview}/notes", data=body, headers={
            **coach, "Content-Type": "application/json"})
        assert response.status_code == 400 and says in response.get_json()["error"], body

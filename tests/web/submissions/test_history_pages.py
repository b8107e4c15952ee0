"""A candidate's history of a challenge comes a page at a time, newest first."""

from __future__ import annotations

from sqlalchemy import insert, select, text

from lab.extensions import db
from lab.models import Challenge, Pack, Submission, utcnow


def test_history_pages(app, candidate):
    from lab.submissions.views import HISTORY_PAGE

    with app.app_context():
        challenge = db.session.scalars(select(Challenge).join(Pack).where(
            Pack.name == "examples", Challenge.slug == "retry-decorator")).one()
        user_id = db.session.scalar(text("SELECT id FROM users WHERE email = 'cand@example.com'"))
        db.session.execute(insert(Submission), [
            {"user_id": user_id, "challenge_id": challenge.id, "mode": "run", "files": {},
             "status": "queued", "created_at": utcnow()} for _ in range(HISTORY_PAGE + 5)])
        db.session.commit()
        ids = db.session.scalars(select(Submission.id).order_by(Submission.id.desc())).all()
    first = candidate.get("/challenges/examples/retry-decorator/history").text
    assert f">{ids[0]}</a>" in first and f">{ids[HISTORY_PAGE]}</a>" not in first
    assert f"before={ids[HISTORY_PAGE - 1]}" in first
    second = candidate.get(f"/challenges/examples/retry-decorator/history?before={ids[HISTORY_PAGE - 1]}")
    assert f">{ids[HISTORY_PAGE]}</a>" in second.text and f">{ids[-1]}</a>" in second.text
    assert f">{ids[0]}</a>" not in second.text

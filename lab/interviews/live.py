"""The live view of an interview, as its watchers see it: one JSON state read from the
database, and a Redis channel every change of an interview is announced on.

The database is the only source of truth, as for submission results
(lab/submissions/push.py): a message on `lab:interview:<id>` only says "look again".
It is published after the commit of each change a watcher sees (a draft save, an
answer, a Run or Submit and its result, the item the candidate opened, the end), from
the web processes and the worker alike, so watchers on any gunicorn worker or host wake
up within a message's time.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from lab.extensions import db
from lab.models import Interview, InterviewItem, Submission, utcnow
from lab.submissions import push


def channel(interview_id: int) -> str:
    return f"lab:interview:{interview_id}"


def changed(interview_id: int) -> None:
    """Wake the interview's watchers; never raises (see push.publish)."""
    push.publish(current_app.config["LAB_SETTINGS"], channel(interview_id),
                 {"interview": interview_id})


def submission_changed(submission_id: int) -> None:
    """Wake the watchers of the interview a submission belongs to, if it belongs to one
    (the worker calls this when it stores a verdict)."""
    interview_id = db.session.scalar(
        select(InterviewItem.interview_id)
        .join(Submission, Submission.interview_item_id == InterviewItem.id)
        .where(Submission.id == submission_id))
    if interview_id is not None:
        changed(interview_id)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() + "Z" if moment else None


def _submission(row: Submission) -> dict:
    return {"id": row.id, "mode": row.mode, "status": row.status, "verdict": row.verdict,
            "passed_tests": sum(1 for t in (row.result or {}).get("tests", [])
                                if t.get("outcome") == "passed"),
            "tests": len((row.result or {}).get("tests", [])),
            "created_at": _iso(row.created_at), "finished_at": _iso(row.finished_at)}


def state(interview_id: int) -> dict | None:
    """What a watcher sees now, without the clock's ticking (`seconds_left` is added when
    sent): equal states mean nothing to send."""
    interview = db.session.get(Interview, interview_id)
    if interview is None:
        return None
    items = list(db.session.scalars(select(InterviewItem)
                                    .where(InterviewItem.interview_id == interview_id)
                                    .order_by(InterviewItem.position)))
    runs: dict[int, list[dict]] = {item.id: [] for item in items}
    for row in db.session.scalars(select(Submission)
                                  .where(Submission.interview_item_id.in_(list(runs)))
                                  .order_by(Submission.id)):
        runs[row.interview_item_id].append(_submission(row))
    return {
        "interview": interview.id,
        "status": interview.status,
        "deadline_at": _iso(interview.deadline_at),
        "ended_at": _iso(interview.ended_at),
        "current_item": interview.current_item or 1,
        "items": [{
            "number": item.position + 1,
            "kind": "question" if item.is_question else "task",
            "files": None if item.is_question else dict(item.files or {}),
            "draft_version": item.draft_version,
            "answer": item.answer,
            "saved_at": _iso(item.saved_at),
            "submitted_at": _iso(item.submitted_at),
            "hints_used": item.hints_used,
            "submissions": runs[item.id],
        } for item in items],
    }


def with_clock(current: dict, now: datetime | None = None) -> dict:
    """The state as sent: plus the seconds left by the server's clock."""
    now = now or utcnow()
    deadline = datetime.fromisoformat(current["deadline_at"][:-1])
    left = max(0.0, (deadline - now).total_seconds()) if current["status"] == "active" else 0.0
    return {**current, "seconds_left": round(left, 1)}

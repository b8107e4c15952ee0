"""What the web and the API do with submissions and drafts, in one place.

A submission is committed before anything is enqueued, so a broker outage never loses
work: the sweeper in the worker enqueues whatever is still queued later.
"""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path

from flask import current_app
from sqlalchemy import and_, case, func, select, update
from sqlalchemy.orm import contains_eager, defer

from lab import task_queue
from lab.extensions import db
from lab.models import Challenge, Pack, Submission, User, newest_pack_ids, utcnow
from lab.refusal import RequestRefused
from worker.core.kinds import ANSWERS_FILE, get_kind, queue_for, quiz_challenge
from worker.core.queues import GRADE_TASK
from worker.core.submission import Rejected, check_submission

log = logging.getLogger(__name__)


class SubmissionError(RequestRefused):
    """The request cannot become a submission (422 unless said otherwise)."""

    default_status = 422


def _latest_query():
    """Challenges of the newest enabled version of every pack."""
    newest = newest_pack_ids()
    return select(Challenge).join(Pack).join(newest, Pack.id == newest.c.id)


def latest_challenges():
    """For listings: the big columns (files, questions, prompt) load only if touched."""
    query = _latest_query().options(defer(Challenge.files), defer(Challenge.questions),
                                    defer(Challenge.prompt_md), contains_eager(Challenge.pack))
    return db.session.scalars(query.order_by(Pack.name, Challenge.slug)).all()


def find_challenge(public_id: str) -> Challenge | None:
    pack_name, _, slug = public_id.partition("/")
    query = _latest_query().where(Pack.name == pack_name, Challenge.slug == slug)
    return db.session.scalars(query).first()


def clean_files(challenge: Challenge, files: object) -> dict[str, str]:
    """Validate submitted files; SubmissionError names the file and the problem."""
    if not isinstance(files, dict) or not files:
        raise SubmissionError("'files' must be an object mapping file names to text", 400)
    raw = {}
    for name, text in files.items():
        if not isinstance(name, str) or not isinstance(text, str):
            raise SubmissionError(f"file {name!r}: content must be text", 400)
        raw[name] = text.encode("utf-8", "surrogatepass")
    settings = current_app.config["LAB_SETTINGS"]
    starter = {k: v.encode() for k, v in challenge.starter.items()}
    try:
        merged = check_submission(raw, tuple(challenge.editable), starter,
                                  settings.max_file_kb, settings.max_submission_kb)
    except Rejected as exc:
        raise SubmissionError(str(exc), 422) from None
    return {k: v.decode("utf-8") for k, v in merged.items()}


def _in_flight(user_id: int, mode: str) -> list[Submission]:
    """The candidate's queued or running submissions of this mode, practice and interview."""
    return list(db.session.scalars(
        select(Submission).options(defer(Submission.files))
        .where(Submission.user_id == user_id, Submission.mode == mode,
               Submission.status.in_(("queued", "running")))))


def _lock_user(user_id: int) -> None:
    """Hold the candidate's row until this transaction ends, so that of two requests at
    the same moment the second counts only after the first has inserted and committed.
    PostgreSQL: a row lock (SELECT ... FOR UPDATE; the second waits, then reads the
    committed rows, each statement having a fresh snapshot under READ COMMITTED).  SQLite
    has no row locks and one writer at a time: a write as the transaction's first
    statement takes the write lock now (the second waits on busy_timeout) instead of at
    the INSERT, after both had counted."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(update(User).where(User.id == user_id).values(id=User.id)
                           .execution_options(synchronize_session=False))
    else:
        db.session.execute(select(User.id).where(User.id == user_id).with_for_update())


def refuse_when_busy(user: User, mode: str) -> None:
    """SubmissionError 429 if the candidate already has as many Runs (or Submits) queued
    or running as LAB_RUNS_IN_FLIGHT (LAB_SUBMITS_IN_FLIGHT) allows: one candidate's burst
    must not fill the graders while others wait.  Call it with the row locked
    (_lock_user) for a decision that holds; unlocked it is a cheap early refusal."""
    settings = current_app.config["LAB_SETTINGS"]
    cap = settings.runs_in_flight if mode == "run" else settings.submits_in_flight
    if not cap:
        return
    busy = _in_flight(user.id, mode)
    if len(busy) < cap:
        return
    # About when one is done: what is left of the oldest one's wall clock (at least 2 s).
    oldest = min(busy, key=lambda s: s.started_at or s.created_at)
    elapsed = (utcnow() - (oldest.started_at or oldest.created_at)).total_seconds()
    retry = max(2, math.ceil(settings.limits.wall_seconds - elapsed))
    name, result = ("Run", "result") if mode == "run" else ("Submit", "verdict")
    what = f"a {name}" if cap == 1 else f"{len(busy)} {name}s"
    raise SubmissionError(f"You already have {what} being graded; wait for its {result}, "
                          f"then try again.", 429, retry)


def create_submission(user: User, challenge: Challenge, files: object, mode: str,
                      interview_item_id: int | None = None, enqueue_now: bool = True,
                      limit_in_flight: bool = True) -> Submission:
    """Store a Run or Submit and enqueue it.  `limit_in_flight=False` is for the lab's
    own submissions (an interview graded at its deadline), never for a request."""
    if mode not in ("run", "submit"):
        raise SubmissionError("'mode' must be 'run' or 'submit'", 400)
    cleaned = clean_files(challenge, files)
    if limit_in_flight and not any(cleaned.get(name, "").strip() for name in challenge.editable):
        # Nothing to grade: say so before it costs a Run or a Submit (an interview graded
        # at its deadline still grades an empty draft, to score it).
        verb = "run" if mode == "run" else "submit"
        raise SubmissionError(f"Nothing to {verb}: every file you edit "
                              f"({', '.join(challenge.editable)}) is empty.", 422)
    if limit_in_flight:
        db.session.commit()  # keep what the caller changed: a refusal rolls back only the lock
        _lock_user(user.id)
        try:
            refuse_when_busy(user, mode)
        except SubmissionError:
            db.session.rollback()  # releases the lock
            raise
    submission = Submission(user_id=user.id, challenge_id=challenge.id, mode=mode,
                            files=cleaned, status="queued", interview_item_id=interview_item_id)
    db.session.add(submission)
    db.session.commit()
    if enqueue_now:
        enqueue(submission.id)
    return submission


def create_quiz_submission(user: User, challenge: Challenge, answers: object) -> Submission:
    """Quizzes are scored at once by their kind (worker/core/kinds/__init__.py), without a container."""

    try:
        payload = json.dumps(answers)
    except (TypeError, ValueError, RecursionError):
        raise SubmissionError("'answers' must be an object mapping question ids to answers", 422) from None
    settings = current_app.config["LAB_SETTINGS"]
    core = quiz_challenge(Path(f"/db/{challenge.public_id}"), challenge.slug, challenge.title,
                          challenge.questions)
    result = get_kind(challenge.kind).grade(core, {ANSWERS_FILE: payload.encode("utf-8")}, "submit",
                                            settings.limits, settings, None, "")
    if result.verdict == "rejected":
        raise SubmissionError(result.message, 422)
    now = utcnow()
    submission = Submission(user_id=user.id, challenge_id=challenge.id, mode="submit",
                            files={ANSWERS_FILE: payload}, status="done",
                            verdict=result.verdict, score=result.score,
                            max_score=result.max_score, result=result.to_dict(), attempts=1,
                            started_at=now, finished_at=now)
    db.session.add(submission)
    db.session.commit()
    return submission


def enqueue(submission_id: int) -> bool:
    """Send the grading task; on broker trouble leave it queued for the sweeper."""
    submission = db.session.get(Submission, submission_id)
    queue = queue_for(submission.mode, submission.challenge.kind)
    try:
        task_queue.send_job(GRADE_TASK, [submission_id], queue)
    except Exception as exc:  # noqa: BLE001 - any broker failure: the row is safe
        log.warning("could not enqueue submission %s yet: %s", submission_id, exc)
        return False
    db.session.execute(db.update(Submission).where(Submission.id == submission_id)
                       .values(enqueued_at=utcnow()))
    db.session.commit()
    return True


def user_marks(user: User) -> dict[int, str]:
    """challenge id -> 'solved' | 'attempted' for this user (Submit verdicts decide).
    One row per challenge comes back, grouped in the database over the user's own rows
    (the (user, challenge, id) index), instead of every submission."""
    solved = func.max(case((and_(Submission.mode == "submit", Submission.verdict == "passed"), 1),
                           else_=0))
    rows = db.session.execute(select(Submission.challenge_id, solved)
                              .where(Submission.user_id == user.id)
                              .group_by(Submission.challenge_id)).all()
    return {challenge_id: "solved" if won else "attempted" for challenge_id, won in rows}


def _whole(value):
    return int(value) if isinstance(value, float) and value.is_integer() else value


def public_result(submission: Submission) -> dict:
    """The submission as the API and the pages show it to its owner."""
    result = submission.result or {}
    return {
        "id": submission.id,
        "challenge": submission.challenge.public_id,
        "mode": submission.mode,
        "status": submission.status,
        "verdict": submission.verdict,
        "score": _whole(submission.score),
        "max_score": submission.max_score,
        "message": result.get("message", ""),
        "tests": result.get("tests", []),
        "stdout": result.get("stdout", ""),
        "duration": result.get("duration"),
        "limits": result.get("limits", {}),
        "created_at": submission.created_at.isoformat() + "Z",
        "finished_at": submission.finished_at.isoformat() + "Z" if submission.finished_at else None,
    }

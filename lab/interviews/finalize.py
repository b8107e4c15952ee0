"""Ending a mock interview exactly once, grading what was left, writing the scorecard.

Two conditional UPDATEs make this safe with any number of web and worker processes
noticing the deadline together: `active -> grading` (finalize) and `grading -> done`
(complete).  Only the process whose UPDATE matched a row goes on; the others see
rowcount 0 and stop.  The worker's sweeper calls `sweep_interviews` every few seconds,
so an interview ends even when nobody has its page open.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from sqlalchemy import case, select, update

from lab.extensions import db
from lab.interviews import live
from lab.interviews.service import HINT_COST, expired_active_ids, grading_ids, question_of
from lab.models import Interview, InterviewItem, InterviewTemplate, Pack, Submission, utcnow
from lab.submissions.service import create_submission, enqueue
from worker.core.kinds.quiz import is_correct

log = logging.getLogger(__name__)
STRONG, WEAK = 75.0, 50.0  # topic percent at or above which it is a strength; below, a weakness


def finalize(interview_id: int, now: datetime | None = None, early: bool = False) -> bool:
    """End the interview if its deadline passed (or the candidate finished early).
    Returns True only in the one call that did it."""
    now = now or utcnow()
    token = uuid.uuid4().hex
    condition = [Interview.id == interview_id, Interview.status == "active"]
    if not early:
        condition.append(Interview.deadline_at <= now)
    claimed = db.session.execute(
        update(Interview).where(*condition)
        .values(status="grading", finalized_by=token,
                ended_at=case((Interview.deadline_at < now, Interview.deadline_at), else_=now))
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    if not claimed:
        return False
    interview = db.session.get(Interview, interview_id)
    db.session.refresh(interview)
    if interview.finalized_by != token:  # cannot happen with a working database; be sure
        return False
    _fix_counted_submissions(interview)
    if not complete_if_ready(interview_id):
        live.changed(interview_id)  # grading: watchers see the end now, the card later
    return True


def _fix_counted_submissions(interview: Interview) -> None:
    """For each task: the last Submit counts when the draft has not changed since;
    otherwise the last saved draft is graded now.  A task never touched scores 0
    without spending a container on its starter."""

    to_enqueue = []
    for item in interview.items:
        if item.is_question:
            continue
        last = db.session.scalar(
            select(Submission).where(Submission.interview_item_id == item.id,
                                     Submission.mode == "submit",
                                     Submission.created_at <= interview.ended_at)
            .order_by(Submission.id.desc()).limit(1))
        draft = dict(item.files or {})
        if last is not None and last.files == draft:
            item.counted_submission_id = last.id
        elif last is None and draft == dict(item.challenge.starter):
            item.counted_submission_id = None
        else:
            submission = create_submission(interview.user, item.challenge, draft, "submit",
                                           interview_item_id=item.id, enqueue_now=False)
            item.counted_submission_id = submission.id
            to_enqueue.append(submission.id)
    db.session.commit()
    for submission_id in to_enqueue:
        enqueue(submission_id)


def complete_if_ready(interview_id: int) -> bool:
    """Write the scorecard once every counted submission has its verdict."""
    interview = db.session.get(Interview, interview_id)
    if interview is None or interview.status != "grading":
        return False
    counted = [i.counted_submission_id for i in interview.items if i.counted_submission_id]
    if counted:
        pending = db.session.scalar(select(db.func.count()).select_from(Submission).where(
            Submission.id.in_(counted), Submission.status != "done"))
        if pending:
            return False
    card = scorecard(interview)
    if card["ungraded"]:
        # Not done: the sweeper regrades the item once the engine answers, and a later
        # call completes the interview.  Meanwhile the page shows the rest, with no total.
        db.session.execute(
            update(Interview).where(Interview.id == interview_id, Interview.status == "grading")
            .values(scorecard=card).execution_options(synchronize_session=False))
        db.session.commit()
        return False
    done = db.session.execute(
        update(Interview).where(Interview.id == interview_id, Interview.status == "grading")
        .values(status="done", scorecard=card, score=card["score"], passed=card["passed"],
                finished_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    if done:
        live.changed(interview_id)
    return bool(done)


def item_result(item: InterviewItem) -> dict:
    """Score share (0..1) of one item and the facts the scorecard shows about it."""

    row = {"position": item.position, "section": item.section, "weight": item.weight,
           "challenge": item.challenge.public_id, "kind": item.challenge.kind,
           "hints_used": item.hints_used, "seconds": round(item.seconds_spent),
           "graded": True}
    if item.is_question:
        question = question_of(item)
        row["title"] = question["prompt"]
        row["topics"] = list(question.get("topics") or item.challenge.topics)
        answered = item.answer is not None
        row["status"] = "answered" if answered else "not answered"
        right = answered and is_correct(question, item.answer["value"])
        row["tests"] = None
        share = 1.0 if right else 0.0
    else:
        row["title"] = item.challenge.title
        row["topics"] = list(item.challenge.topics)
        submission = db.session.get(Submission, item.counted_submission_id) \
            if item.counted_submission_id else None
        if submission is None:
            row["status"], row["tests"], share = "not attempted", None, 0.0
        else:
            hidden = [t for t in (submission.result or {}).get("tests", [])
                      if t.get("visibility") == "hidden"]
            row["tests"] = {"passed": sum(t["outcome"] == "passed" for t in hidden),
                            "total": len(hidden)}
            row["verdict"] = submission.verdict
            row["submission"] = submission.id
            on_time = submission.created_at <= (item.interview.ended_at or utcnow())
            row["status"] = "submitted" if on_time else "graded at the deadline"
            if submission.verdict == "infra_error":
                # Our failure, never the candidate's zero, and never left out of the total
                # (which would raise the score): the item waits for its regrade.
                row["graded"] = False
                row["status"] = "awaiting regrade"
                row["tests"] = None
                share = 0.0
            else:
                share = (submission.score or 0) / submission.max_score if submission.max_score else 0.0
    penalty = min(1.0, HINT_COST * item.hints_used)
    row["share"] = round(share, 4)
    row["points"] = round(item.weight * share * (1 - penalty), 3)
    return row


def scorecard(interview: Interview) -> dict:
    rows = [item_result(item) for item in interview.items]
    counted = [r for r in rows if r["graded"]]
    possible = sum(r["weight"] for r in counted)
    earned = sum(r["points"] for r in counted)
    score = round(100 * earned / possible, 1) if possible else 0.0
    awaiting = [r["position"] + 1 for r in rows if not r["graded"]]  # item numbers, from 1
    topics: dict[str, dict[str, float]] = {}
    for row in counted:
        for topic in row["topics"]:
            entry = topics.setdefault(topic, {"earned": 0.0, "possible": 0.0})
            entry["earned"] += row["points"]
            entry["possible"] += row["weight"]
    by_topic = sorted(({"topic": t, "percent": round(100 * v["earned"] / v["possible"], 1)}
                       for t, v in topics.items() if v["possible"]),
                      key=lambda e: (-e["percent"], e["topic"]))
    sections = []
    for section in interview.sections:
        mine = [r for r in counted if r["section"] == section.position]
        weight = sum(r["weight"] for r in mine)
        sections.append({"title": section.title,
                         "percent": round(100 * sum(r["points"] for r in mine) / weight, 1)
                         if weight else None})
    template = interview.template
    return {
        # No total and no pass or fail while an item awaits its regrade.
        "score": None if awaiting else score,
        "passed": None if awaiting else score >= template.passing_score,
        "passing_score": template.passing_score, "earned": round(earned, 3),
        "possible": possible, "items": rows, "sections": sections, "topics": by_topic,
        "strengths": [e["topic"] for e in by_topic if e["percent"] >= STRONG],
        "weaknesses": [e["topic"] for e in by_topic if e["percent"] < WEAK],
        "ungraded": awaiting,
        "seed": interview.seed,
        "minutes_used": round(((interview.ended_at or utcnow()) - interview.started_at)
                              .total_seconds() / 60, 1),
    }


def earlier_attempts(interview: Interview) -> list[dict]:
    """The same candidate's finished attempts of the same template (any pack version)."""

    template = interview.template
    rows = db.session.execute(
        select(Interview.id, Interview.started_at, Interview.score, Interview.passed)
        .join(InterviewTemplate, InterviewTemplate.id == Interview.template_id)
        .join(Pack, Pack.id == InterviewTemplate.pack_id)
        .where(Interview.user_id == interview.user_id, Interview.status == "done",
               Pack.name == template.pack.name, InterviewTemplate.slug == template.slug)
        .order_by(Interview.started_at)).all()
    return [{"id": r.id, "started_at": r.started_at, "score": r.score, "passed": r.passed,
             "this": r.id == interview.id} for r in rows]


def sweep_interviews(now: datetime | None = None) -> dict:
    """Finalize what ran out, complete what finished grading (the worker's sweeper)."""

    now = now or utcnow()
    counts = {"finalized": 0, "completed": 0}
    for interview_id in expired_active_ids(now):
        counts["finalized"] += finalize(interview_id, now)
    for interview_id in grading_ids():
        counts["completed"] += complete_if_ready(interview_id)
    return counts

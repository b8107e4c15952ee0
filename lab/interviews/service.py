"""Timed mock interviews: starting one, and every edit a candidate makes during it.

The clock lives in the database.  `deadline_at` is fixed when the interview starts, a
section's own deadline when it is first opened.  Every write (draft, answer, Run,
Submit, hint, time spent) is one conditional UPDATE that only matches while the
interview is active and its deadlines are in the future, so a request that arrives a
millisecond late changes nothing, whatever the browser's clock says.  Finalization and
the scorecard are in lab/interviews/finalize.py.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, select, update

from lab.extensions import db
from lab.interviews import live
from lab.interviews.catalog import database_catalog
from lab.interviews.templates import DrawError, draw, parse_duration
from lab.models import (
    Challenge,
    Interview,
    InterviewItem,
    InterviewSection,
    InterviewTemplate,
    Pack,
    Submission,
    User,
    newest_pack_ids,
    utcnow,
)
from lab.refusal import RequestRefused
from lab.submissions.drafts import DraftConflict
from lab.submissions.service import SubmissionError, clean_files, create_submission, refuse_when_busy
from worker.core.kinds.quiz import QuizError, parse_answers

HINT_COST = 0.1  # share of an item's points each hint taken costs
TIME_TICK_CAP = 30.0  # seconds one time report may add (a tab left open earns nothing)


class InterviewError(RequestRefused):
    """The interview request cannot be done (409, a conflict with its state, unless said
    otherwise)."""

    default_status = 409


def latest_templates() -> list[InterviewTemplate]:
    """Templates of the newest enabled version of every pack."""

    return list(db.session.scalars(select(InterviewTemplate)
                                   .where(InterviewTemplate.pack_id.in_(select(newest_pack_ids())))
                                   .order_by(InterviewTemplate.title)))


def find_template(public_id: str) -> InterviewTemplate | None:
    pack_name, _, slug = public_id.partition("/")
    for template in latest_templates():
        if template.pack.name == pack_name and template.slug == slug:
            return template
    return None


def active_interview(user: User) -> Interview | None:
    return db.session.scalar(select(Interview).where(Interview.user_id == user.id,
                                                     Interview.status == "active"))


def running_interview_with(user: User, challenge_id: int, now: datetime | None = None) -> int | None:
    """The id of the candidate's running interview that contains this challenge: its
    practice page (free hints, explanations, history) stays closed until the end."""
    return db.session.scalar(
        select(Interview.id).join(InterviewItem, InterviewItem.interview_id == Interview.id)
        .where(Interview.user_id == user.id, Interview.status == "active",
               Interview.deadline_at > (now or utcnow()), InterviewItem.challenge_id == challenge_id)
        .limit(1))


def _seen(user: User) -> set[tuple[str, str | None]]:
    """What this candidate met before: challenges they submitted to, interview items."""
    seen: set[tuple[str, str | None]] = set()
    rows = db.session.execute(
        select(Pack.name, Challenge.slug).join(Challenge, Challenge.pack_id == Pack.id)
        .join(Submission, Submission.challenge_id == Challenge.id)
        .where(Submission.user_id == user.id).distinct())
    for pack_name, slug in rows:
        seen.add((f"{pack_name}/{slug}", None))
    rows = db.session.execute(
        select(Pack.name, Challenge.slug, InterviewItem.question_id)
        .join(Challenge, Challenge.pack_id == Pack.id)
        .join(InterviewItem, InterviewItem.challenge_id == Challenge.id)
        .join(Interview, Interview.id == InterviewItem.interview_id)
        .where(Interview.user_id == user.id).distinct())
    for pack_name, slug, question_id in rows:
        seen.add((f"{pack_name}/{slug}", question_id))
    return seen


def start_interview(user: User, template: InterviewTemplate, seed: int | None = None,
                    now: datetime | None = None) -> Interview:
    """Draw the items (seeded, recorded) and start the clock."""

    running = active_interview(user)
    if running is not None and not is_expired(running, now or utcnow()):
        raise InterviewError(f"You already have an interview running (#{running.id}); "
                             "finish it before starting another.")
    known = database_catalog()  # the draw applies the template's `from_packs`
    seed = random.SystemRandom().randrange(2**31) if seed is None else seed
    try:
        drawn = draw(template.spec, known.items, seed, _seen(user))
    except DrawError as exc:
        raise InterviewError(f"This interview cannot be assembled from the challenges "
                             f"available now: {exc}", 409) from None
    now = now or utcnow()
    interview = Interview(user_id=user.id, template_id=template.id, seed=seed, status="active",
                          started_at=now,
                          deadline_at=now + timedelta(seconds=template.time_limit_seconds))
    for position, section in enumerate(template.spec["sections"]):
        limit = section.get("time_limit")
        interview.sections.append(InterviewSection(
            position=position, title=section["title"],
            time_limit_seconds=parse_duration(limit) if limit else None))
    for position, pick in enumerate(drawn):
        challenge = db.session.get(Challenge, known.challenge_ids[pick.item.challenge])
        interview.items.append(InterviewItem(
            position=position, section=pick.section, challenge_id=challenge.id,
            question_id=pick.item.question_id, weight=float(pick.weight),
            files=None if pick.item.question_id else dict(challenge.starter)))
    db.session.add(interview)
    db.session.commit()
    return interview


# ----- the clock ------------------------------------------------------------------


def is_expired(interview: Interview, now: datetime) -> bool:
    return interview.deadline_at <= now


def seconds_left(deadline: datetime | None, now: datetime) -> float | None:
    return None if deadline is None else max(0.0, (deadline - now).total_seconds())


@dataclass
class ItemState:
    """What the page shows for an item: can it still be changed, and until when."""

    open: bool
    deadline: datetime
    reason: str


def item_state(interview: Interview, item: InterviewItem, now: datetime) -> ItemState:
    section = interview.sections[item.section]
    deadline = interview.deadline_at
    if section.deadline_at is not None and section.deadline_at < deadline:
        deadline = section.deadline_at
    if interview.status != "active" or interview.deadline_at <= now:
        ended = interview.ended_at or interview.deadline_at
        return ItemState(False, deadline, f"The interview ended at {_clock(ended)} UTC; "
                                          "answers can no longer be changed.")
    if deadline <= now:
        return ItemState(False, deadline, f"Time for section '{section.title}' ran out at "
                                          f"{_clock(deadline)} UTC; its answers are locked.")
    return ItemState(True, deadline, "")


def _clock(moment: datetime) -> str:
    return moment.strftime("%H:%M:%S")


def open_section(interview: Interview, position: int, now: datetime) -> None:
    """Start a section's own clock the first time one of its items is shown."""
    section = interview.sections[position]
    if section.time_limit_seconds is None or section.opened_at is not None:
        return
    if interview.status != "active" or interview.deadline_at <= now:
        return
    db.session.execute(
        update(InterviewSection)
        .where(InterviewSection.id == section.id, InterviewSection.opened_at.is_(None))
        .values(opened_at=now, deadline_at=now + timedelta(seconds=section.time_limit_seconds)))
    db.session.commit()
    db.session.refresh(section)


def _writable(item: InterviewItem, now: datetime):
    """SQL condition: the item's interview is active, before its deadline, and the item's
    section has not run out.  Evaluated inside the UPDATE, never in Python."""
    live = exists().where(Interview.id == InterviewItem.interview_id,
                          Interview.status == "active", Interview.deadline_at > now)
    section_over = exists().where(InterviewSection.interview_id == InterviewItem.interview_id,
                                  InterviewSection.position == InterviewItem.section,
                                  InterviewSection.deadline_at.is_not(None),
                                  InterviewSection.deadline_at <= now)
    return and_(InterviewItem.id == item.id, live, ~section_over)


def _require_open(item: InterviewItem, now: datetime) -> None:
    """Say "time is up" before complaining about the content of a late request (the
    guarded UPDATE stays the real check)."""
    state = item_state(item.interview, item, now)
    if not state.open:
        raise InterviewError(state.reason, 409)


def _guarded_update(item: InterviewItem, now: datetime, base_version: int | None = None,
                   announce: bool = True, **values) -> None:
    """One conditional write (see the module docstring); with `base_version`, it also
    only matches while the task draft is still at that version (DraftConflict if not).
    `announce`: tell the watchers (lab/interviews/live.py), unless nothing they see moved."""
    condition = _writable(item, now)
    if base_version is not None:
        condition = and_(condition, InterviewItem.draft_version == base_version)
    changed = db.session.execute(update(InterviewItem).where(condition)
                                 .values(**values).execution_options(synchronize_session=False)
                                 ).rowcount
    if not changed:
        db.session.rollback()
        interview = db.session.get(Interview, item.interview_id)
        db.session.refresh(interview)
        db.session.refresh(item)
        state = item_state(interview, item, now)
        if state.open and base_version is not None:
            raise DraftConflict(item.draft_version, dict(item.files or item.challenge.starter),
                                item.saved_at)
        raise InterviewError(state.reason or "This answer can no longer be changed.", 409)
    db.session.commit()
    db.session.refresh(item)
    if announce:
        live.changed(item.interview_id)


def save_task_draft(item: InterviewItem, files: object, now: datetime | None = None,
                    base_version: int | None = None) -> None:
    """Store the task's files as its next draft version; as lab/submissions/drafts.py,
    a save based on an older version than the stored one raises DraftConflict."""
    if item.is_question:
        raise InterviewError("This item is a question: send an answer, not files.", 400)
    _require_open(item, now or utcnow())
    try:
        cleaned = clean_files(item.challenge, files)
    except SubmissionError as exc:
        raise InterviewError(str(exc), exc.status) from None
    merged = dict(item.files or item.challenge.starter)
    merged.update(cleaned)
    _guarded_update(item, now or utcnow(), base_version, files=merged, saved_at=now or utcnow(),
                    draft_version=InterviewItem.draft_version + 1)


def save_answer(item: InterviewItem, value: object, now: datetime | None = None) -> None:
    """Store (not score) a quiz answer: scores are shown on the scorecard, after the end."""

    if not item.is_question:
        raise InterviewError("This item is a hands-on task: send files, not an answer.", 400)
    question = question_of(item)
    _require_open(item, now or utcnow())
    try:
        parsed = parse_answers([question], {question["id"]: value})
    except QuizError as exc:
        raise InterviewError(str(exc), 422) from None
    if question["id"] not in parsed:
        raise InterviewError("Give an answer before saving.", 422)
    now = now or utcnow()
    _guarded_update(item, now, answer={"value": parsed[question["id"]]}, saved_at=now,
                    submitted_at=now)


def submit_task(user: User, item: InterviewItem, files: object, mode: str,
                now: datetime | None = None) -> Submission:
    """Run (public tests) or Submit (hidden tests) the item's current files."""

    now = now or utcnow()
    if mode not in ("run", "submit"):
        raise InterviewError("'mode' must be 'run' or 'submit'", 400)
    if mode == "run":
        allowed = item.interview.template.spec.get("runs_per_task")
        if allowed is not None and runs_used(item) >= allowed:
            raise InterviewError(f"You have used all {allowed} runs of this task; Submit still "
                                 "works until the time is up.", 429)
    _require_open(item, now)  # after the deadline that is the answer, not the cap below
    try:
        # Early, so a refused Submit does not mark the item as submitted below;
        # create_submission decides again under the lock.
        refuse_when_busy(user, mode)
    except SubmissionError as exc:
        raise InterviewError(str(exc), exc.status, exc.retry_after) from None
    if files:
        # Unconditional: the item's stored files are what gets graded, so they must be the
        # ones this Run or Submit sent, whatever another tab saved.
        save_task_draft(item, files, now)
    if mode == "submit" or not files:
        # One more guarded write: it refuses after the deadline even with no files sent.
        _guarded_update(item, now, **({"submitted_at": now} if mode == "submit" else
                                      {"saved_at": item.saved_at or now}))
    try:
        submission = create_submission(user, item.challenge, dict(item.files or {}), mode,
                                       interview_item_id=item.id)
    except SubmissionError as exc:
        raise InterviewError(str(exc), exc.status, exc.retry_after) from None
    live.changed(item.interview_id)
    return submission


def show_item(interview: Interview, number: int) -> bool:
    """Record the item the candidate has on screen, for the watchers; True if it moved."""
    if interview.current_item == number:
        return False
    db.session.execute(update(Interview).where(Interview.id == interview.id)
                       .values(current_item=number).execution_options(synchronize_session=False))
    db.session.commit()
    live.changed(interview.id)
    return True


def runs_used(item: InterviewItem) -> int:
    return db.session.scalar(select(db.func.count()).select_from(Submission).where(
        Submission.interview_item_id == item.id, Submission.mode == "run")) or 0


def take_hint(item: InterviewItem, now: datetime | None = None) -> str:
    hints = item.challenge.hints or []
    if item.hints_used >= len(hints):
        raise InterviewError("No more hints for this item.", 409)
    _guarded_update(item, now or utcnow(), hints_used=InterviewItem.hints_used + 1)
    return hints[item.hints_used - 1]


def add_time(item: InterviewItem, seconds: object, now: datetime | None = None) -> None:
    """The page reports, every few seconds, how long the item was on screen."""
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
        raise InterviewError("'seconds' must be a number of seconds, 0 or more.", 400)
    # The time on screen is not in the live view: no watcher needs waking for it.
    _guarded_update(item, now or utcnow(), announce=False,
                    seconds_spent=InterviewItem.seconds_spent + min(float(seconds), TIME_TICK_CAP))


def question_of(item: InterviewItem) -> dict:
    for question in item.challenge.questions:
        if question["id"] == item.question_id:
            return question
    raise InterviewError(f"question {item.question_id} is missing from {item.challenge.public_id}",
                         500)


def item_or_error(interview: Interview, position: int) -> InterviewItem:
    if not 0 <= position < len(interview.items):
        raise InterviewError(f"This interview has items 1 to {len(interview.items)}.", 404)
    return interview.items[position]


def user_interviews(user: User) -> list[Interview]:
    return list(db.session.scalars(select(Interview).where(Interview.user_id == user.id)
                                   .order_by(Interview.id.desc())))


def expired_active_ids(now: datetime) -> list[int]:
    return list(db.session.scalars(select(Interview.id).where(
        Interview.status == "active", Interview.deadline_at <= now)))


def grading_ids() -> list[int]:
    return list(db.session.scalars(select(Interview.id).where(Interview.status == "grading")))

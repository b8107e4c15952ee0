"""What an interviewer writes about a led interview: time-stamped notes during it, and at
the end a rubric per hands-on item and a summary.  All of it is private to its author
until the author shares it; then the candidate's scorecard shows it beside the automatic
score.  A share is final (the candidate may already have read it), so editing stops.

Every input is checked here and refused with what was wrong and where; nothing is stored
from a refused request.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from lab.extensions import db
from lab.interviews.service import InterviewError
from lab.models import Interview, InterviewItem, InterviewNote, InterviewReview, User, utcnow

MAX_NOTE_CHARS = 2000
MAX_NOTES = 300  # per interviewer and interview
MAX_QUOTE_LINES = 80
MAX_SUMMARY_CHARS = 5000
LEVELS = (1, 2, 3, 4)

# Used when a template names no rubric of its own (challenges/schema/interview.schema.json).
DEFAULT_RUBRIC: list[dict] = [
    {"id": "problem_solving", "title": "Problem solving", "levels": [
        "Did not reach a working approach, even with help.",
        "Reached an approach with substantial hints; missed important cases.",
        "Found a sound approach on their own and handled the usual cases.",
        "Weighed options, chose well and said why; handled edge cases unprompted."]},
    {"id": "code_quality", "title": "Code quality", "levels": [
        "Hard to follow; names and structure hide what the code does.",
        "Works in places but is repetitive or tangled.",
        "Clear names and structure; idiomatic for the language.",
        "Clean, idiomatic and easy to change; no wasted code."]},
    {"id": "testing", "title": "Testing", "levels": [
        "Did not check the code beyond running it once.",
        "Ran the given tests but did not think about what they miss.",
        "Checked the main cases and some edges, with Runs or their own calls.",
        "Tested deliberately: edge cases, failure paths, and said what is left untested."]},
    {"id": "communication", "title": "Communication", "levels": [
        "Worked silently or could not explain the code.",
        "Explained when asked, but the reasoning was hard to follow.",
        "Talked through the plan and the trade-offs as they went.",
        "Clear and concise throughout; asked good questions and used feedback well."]},
]


@dataclass(frozen=True)
class ItemRubric:
    number: int
    title: str
    criteria: list[dict]


def rubrics(interview: Interview) -> list[ItemRubric]:
    """The rubric of each hands-on item: its section's, else the template's, else ours."""
    spec = interview.template.spec
    out = []
    for item in interview.items:
        if item.is_question:
            continue
        section = spec["sections"][item.section] if item.section < len(spec["sections"]) else {}
        criteria = section.get("rubric") or spec.get("rubric") or DEFAULT_RUBRIC
        out.append(ItemRubric(item.position + 1, item.challenge.title, criteria))
    return out


def _review(interview: Interview, author: User) -> InterviewReview | None:
    return db.session.scalar(select(InterviewReview).where(
        InterviewReview.interview_id == interview.id, InterviewReview.author_id == author.id))


def _refuse_when_shared(interview: Interview, author: User) -> None:
    review = _review(interview, author)
    if review is not None and review.shared_at is not None:
        raise InterviewError("You shared your review with the candidate: it can no longer be "
                             "changed.", 409)


def _int_field(raw: object, name: str) -> int | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        raise InterviewError(f"'{name}' must be a whole number", 422)
    try:
        value = int(raw)
    except ValueError:
        raise InterviewError(f"'{name}' must be a whole number (got {str(raw)[:20]!r})",
                             422) from None
    if not 1 <= value <= 1_000_000:
        raise InterviewError(f"'{name}' must be from 1 up (got {value})", 422)
    return value


def add_note(interview: Interview, author: User, body: object, item: object,
             file: object = None, line_from: object = None, line_to: object = None,
             now=None) -> InterviewNote:
    """A note at this moment on item `item` (1-based), quoting lines line_from..line_to of
    `file` as they read now, if a range is given."""
    _refuse_when_shared(interview, author)
    if not isinstance(body, str) or not body.strip():
        raise InterviewError("Write the note before saving it.", 422)
    body = body.replace("\r\n", "\n").strip()
    if len(body) > MAX_NOTE_CHARS:
        raise InterviewError(f"A note holds at most {MAX_NOTE_CHARS} characters (this one has "
                             f"{len(body)}).", 422)
    number = _int_field(item, "item")
    if number is None or number > len(interview.items):
        raise InterviewError(f"'item' must name one of the interview's items, 1 to "
                             f"{len(interview.items)}.", 422)
    count = db.session.scalar(select(func.count()).select_from(InterviewNote).where(
        InterviewNote.interview_id == interview.id, InterviewNote.author_id == author.id))
    if count >= MAX_NOTES:
        raise InterviewError(f"You have written the {MAX_NOTES} notes an interview can hold.", 422)
    quote, start, end, name = _quote(interview.items[number - 1], file, line_from, line_to)
    now = now or utcnow()
    note = InterviewNote(interview_id=interview.id, author_id=author.id, created_at=now,
                         at_seconds=max(0.0, (min(now, interview.ended_at or now)
                                              - interview.started_at).total_seconds()),
                         item=number, body=body, file=name, line_from=start, line_to=end,
                         quote=quote)
    db.session.add(note)
    db.session.commit()
    return note


def _quote(item: InterviewItem, file: object, line_from: object, line_to: object):
    start, end = _int_field(line_from, "line_from"), _int_field(line_to, "line_to")
    if start is None and end is None:
        return None, None, None, None
    if item.is_question:
        raise InterviewError("A question has no code to quote: leave the lines empty.", 422)
    files = item.files or {}
    if not isinstance(file, str) or file not in files:
        names = ", ".join(sorted(files)) or "none"
        raise InterviewError(f"'file' must be one of the item's files ({names}) to quote lines.",
                             422)
    start, end = start or end, end or start
    lines = files[file].splitlines()
    if start > end:
        raise InterviewError(f"line_from ({start}) is after line_to ({end}).", 422)
    if end > len(lines):
        raise InterviewError(f"{file} has {len(lines)} lines now: line {end} is past its end.", 422)
    if end - start + 1 > MAX_QUOTE_LINES:
        raise InterviewError(f"Quote at most {MAX_QUOTE_LINES} lines at once.", 422)
    return "\n".join(lines[start - 1:end]), start, end, file


def notes_of(interview: Interview, author: User) -> list[InterviewNote]:
    return list(db.session.scalars(select(InterviewNote).where(
        InterviewNote.interview_id == interview.id, InterviewNote.author_id == author.id)
        .order_by(InterviewNote.at_seconds, InterviewNote.id)))


def review_of(interview: Interview, author: User) -> InterviewReview | None:
    return _review(interview, author)


def save_review(interview: Interview, author: User, scores: object, summary: object,
                now=None) -> InterviewReview:
    """Store the rubric scores and summary (replacing the previous ones).  `scores` maps
    item numbers to {criterion id: 1..4}; an empty value leaves a criterion unscored."""
    _refuse_when_shared(interview, author)
    if not isinstance(scores, dict):
        raise InterviewError("'scores' must map item numbers to {criterion: 1 to 4}.", 422)
    if summary is None:
        summary = ""
    if not isinstance(summary, str):
        raise InterviewError("'summary' must be text.", 422)
    summary = summary.replace("\r\n", "\n").strip()
    if len(summary) > MAX_SUMMARY_CHARS:
        raise InterviewError(f"The summary holds at most {MAX_SUMMARY_CHARS} characters (this "
                             f"one has {len(summary)}).", 422)
    by_number = {r.number: r for r in rubrics(interview)}
    clean: dict[str, dict[str, int]] = {}
    for key, given in scores.items():
        number = _int_field(key, "item") if isinstance(key, str) and key.isdigit() else None
        if number not in by_number:
            raise InterviewError(f"scores: {str(key)[:20]!r} is not a hands-on item of this "
                                 f"interview (they are {sorted(by_number) or 'none'}).", 422)
        if not isinstance(given, dict):
            raise InterviewError(f"scores.{number} must map criteria to 1 to 4.", 422)
        known = {c["id"] for c in by_number[number].criteria}
        for criterion, value in given.items():
            if criterion not in known:
                raise InterviewError(f"scores.{number}: {str(criterion)[:40]!r} is not a criterion "
                                     f"of this item's rubric ({', '.join(sorted(known))}).", 422)
            if value in (None, ""):
                continue
            level = value if isinstance(value, int) and not isinstance(value, bool) else (
                int(value) if isinstance(value, str) and value.isdigit() else None)
            if level not in LEVELS:
                raise InterviewError(f"scores.{number}.{criterion} must be 1, 2, 3 or 4 "
                                     f"(got {str(value)[:20]!r}).", 422)
            clean.setdefault(str(number), {})[criterion] = level
    review = _review(interview, author)
    if review is None:
        review = InterviewReview(interview_id=interview.id, author_id=author.id)
        db.session.add(review)
    review.scores, review.summary, review.updated_at = clean, summary, now or utcnow()
    db.session.commit()
    return review


def share(interview: Interview, author: User, now=None) -> InterviewReview:
    """Show the author's notes, rubric and summary to the candidate; after the end only."""
    if interview.status == "active":
        raise InterviewError("Share your review once the interview is over.", 409)
    review = _review(interview, author)
    if review is None:
        review = InterviewReview(interview_id=interview.id, author_id=author.id, scores={},
                                 summary="")
        db.session.add(review)
    if review.shared_at is None:
        review.shared_at = now or utcnow()
    db.session.commit()
    return review


def shared_reviews(interview: Interview) -> list[tuple[InterviewReview, list[InterviewNote]]]:
    """What the candidate may read: each shared review with its author's notes."""
    reviews = db.session.scalars(select(InterviewReview).where(
        InterviewReview.interview_id == interview.id, InterviewReview.shared_at.isnot(None))
        .order_by(InterviewReview.shared_at))
    return [(review, notes_of(interview, review.author)) for review in reviews]

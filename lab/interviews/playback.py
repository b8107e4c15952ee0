"""An interview's timeline as the playback page reads it, once the interview is over:
every recorded edit (lab/interviews/timeline.py), the markers (item switches, hints,
Runs and Submits with their verdicts) and the notes the viewer may read, all at
milliseconds from the start.

The candidate replays their own interview with the notes their interviewers shared; an
interviewer replays the interview they watched with their own notes.
"""

from __future__ import annotations

from sqlalchemy import select

from lab.extensions import db
from lab.interviews.reviews import notes_of, shared_reviews
from lab.interviews.service import InterviewError
from lab.interviews.timeline import ms_since_start, used_bytes
from lab.models import Interview, InterviewNote, InterviewTimelineBatch, Submission, User, utcnow


def refuse_while_running(interview: Interview) -> None:
    if interview.status == "active":
        raise InterviewError("The replay opens once the interview is over.", 403)


def shared_notes(interview: Interview) -> list[InterviewNote]:
    return [note for _review, notes in shared_reviews(interview) for note in notes]


def own_notes(interview: Interview, user: User) -> list[InterviewNote]:
    return notes_of(interview, user)


def export(interview: Interview, notes: list[InterviewNote]) -> dict:
    events: list[dict] = []
    markers: list[dict] = []
    for batch in db.session.scalars(select(InterviewTimelineBatch)
                                    .where(InterviewTimelineBatch.interview_id == interview.id)
                                    .order_by(InterviewTimelineBatch.id)):
        for event in batch.events:
            if len(event) == 2:  # [ms, "@kind"]: a marker (an edit has at least 3 parts)
                markers.append({"at": event[0], "item": batch.item, "kind": event[1][1:]})
            elif event[2] is None:
                events.append({"at": event[0], "item": batch.item, "file": event[1],
                               "snapshot": event[3]})
            else:
                events.append({"at": event[0], "item": batch.item, "file": event[1],
                               "changes": event[2]})
    numbers = {item.id: item.position + 1 for item in interview.items}
    for row in db.session.execute(select(Submission.interview_item_id, Submission.mode,
                                         Submission.verdict, Submission.created_at)
                                  .where(Submission.interview_item_id.in_(list(numbers)))
                                  .order_by(Submission.id)):
        markers.append({"at": ms_since_start(interview, row.created_at),
                        "item": numbers[row.interview_item_id], "kind": row.mode,
                        "verdict": row.verdict})
    # Stable sorts: events of one moment keep the order they were recorded in.
    events.sort(key=lambda e: e["at"])
    markers.sort(key=lambda m: m["at"])
    end = interview.ended_at or utcnow()
    return {
        "interview": interview.id,
        "title": interview.template.title,
        "duration_ms": ms_since_start(interview, end),
        "bytes": used_bytes(interview.id),
        "items": [{"number": item.position + 1,
                   "title": "Question" if item.is_question else item.challenge.title,
                   "kind": "question" if item.is_question else "task",
                   "start_files": {} if item.is_question else dict(item.challenge.starter)}
                  for item in interview.items],
        "events": events,
        "markers": markers,
        "notes": [{"at": round(note.at_seconds * 1000), "item": note.item, "body": note.body,
                   "file": note.file, "line_from": note.line_from, "line_to": note.line_to,
                   "quote": note.quote} for note in notes],
    }

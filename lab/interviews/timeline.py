"""The edit timeline of a mock interview, for playback: what the editor changed and when.

The candidate's editor sends its CodeMirror change sets in batches (about one a second),
each with how long ago it was made; the server stamps them with its own clock, as
milliseconds from the interview's start, so a wrong computer clock cannot reorder them.
Where recording starts (a page load, another tab taking over) the editor sends the whole
file instead (a snapshot).

Every change set is applied here to the files as the timeline left them (the item's
`timeline_files`), so a batch that does not apply (forged, or from a tab that missed a
step) is refused whole and nothing is stored; the editor then sends a snapshot.  Only the
editor page that recorded last may add changes (`timeline_session`); another tab starts
with a snapshot.  The timeline of an interview is capped (LAB_TIMELINE_KB): past it,
recording stops and the interview goes on.

An event, compact because there are thousands: [ms, file, changes] or
[ms, file, None, text] (a snapshot); a marker: [ms, "@item"] (the candidate opened this
item) or [ms, "@hint"].  A change set is CodeMirror's ChangeSet.toJSON(): a list of
sections, each a number (that many characters kept) or [deleted, *inserted lines].
"""

from __future__ import annotations

import json
import re
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select, update

from lab.extensions import db
from lab.interviews.service import InterviewError
from lab.models import Interview, InterviewItem, InterviewTimelineBatch, utcnow

MAX_EVENTS = 600  # per batch
MAX_AGO_MS = 10 * 60 * 1000  # an event older than this when sent is refused
SESSION = re.compile(r"^[A-Za-z0-9_-]{8,40}$")


class TimelineError(InterviewError):
    default_status = 422


def apply_changes(doc: str, changes: object) -> str:
    """`doc` with a CodeMirror change set (its JSON form) applied; TimelineError when the
    change set is malformed or does not fit the document."""
    if not isinstance(changes, list) or not changes:
        raise TimelineError("a change set is a non-empty list of sections")
    out: list[str] = []
    pos = 0
    for section in changes:
        if isinstance(section, int) and not isinstance(section, bool):
            if section < 0:
                raise TimelineError("a kept span cannot be negative")
            out.append(doc[pos:pos + section])
            pos += section
        elif (isinstance(section, list) and section and isinstance(section[0], int)
              and not isinstance(section[0], bool) and section[0] >= 0
              and all(isinstance(line, str) for line in section[1:])):
            pos += section[0]
            out.append("\n".join(section[1:]))
        else:
            raise TimelineError("a change set section is a number or [deleted, *lines]")
        if pos > len(doc):
            raise TimelineError("the change set reaches past the end of the file")
    if pos != len(doc):
        raise TimelineError(f"the change set covers {pos} characters of a {len(doc)}-character "
                            "file")
    return "".join(out)


def _cap_bytes() -> int:
    return current_app.config["LAB_SETTINGS"].timeline_kb * 1024


def used_bytes(interview_id: int) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(InterviewTimelineBatch.size), 0))
                             .where(InterviewTimelineBatch.interview_id == interview_id)) or 0


def ms_since_start(interview: Interview, moment: datetime) -> int:
    return max(0, round((moment - interview.started_at).total_seconds() * 1000))


def record(interview: Interview, item: InterviewItem, session: object, events: object,
           now: datetime | None = None) -> int:
    """Check and store one batch from the editor; returns the bytes the interview's
    timeline now holds.  409 (resync) when the batch is based on files the timeline does
    not hold, 413 when the timeline is full, 422 for anything malformed."""
    now = now or utcnow()
    if item.is_question:
        raise TimelineError("A question has no editor to record.", 400)
    if not isinstance(session, str) or not SESSION.match(session):
        raise TimelineError("'session' must be 8 to 40 letters, digits, '-' or '_'.")
    if not isinstance(events, list) or not events:
        raise TimelineError("'events' must be a non-empty list.")
    if len(events) > MAX_EVENTS:
        raise TimelineError(f"At most {MAX_EVENTS} events a batch (got {len(events)}).")
    names = set(item.challenge.starter)
    files = dict(item.timeline_files or {})
    if item.timeline_session != session:
        files = {}  # another page recorded last: this one starts with snapshots
    stored = []
    for n, event in enumerate(events):
        where = f"events.{n}"
        if not isinstance(event, dict):
            raise TimelineError(f"{where}: expected an object")
        ago, name = event.get("ago"), event.get("file")
        if isinstance(ago, bool) or not isinstance(ago, int) or not 0 <= ago <= MAX_AGO_MS:
            raise TimelineError(f"{where}.ago: milliseconds from 0 to {MAX_AGO_MS}")
        if name not in names:
            raise TimelineError(f"{where}.file: not a file of this task "
                                f"({', '.join(sorted(names))})")
        at = max(0, ms_since_start(interview, now) - ago)
        if "snapshot" in event:
            text = event["snapshot"]
            if not isinstance(text, str):
                raise TimelineError(f"{where}.snapshot: expected the file's text")
            files[name] = text
            stored.append([at, name, None, text])
            continue
        if name not in files:
            raise TimelineError(f"{where}: the timeline has no copy of {name} from this page; "
                                "send a snapshot first", 409)
        try:
            files[name] = apply_changes(files[name], event.get("changes"))
        except TimelineError as exc:
            raise TimelineError(f"{where}.changes: {exc}", 409 if "covers" in str(exc)
                                or "past the end" in str(exc) else 422) from None
        stored.append([at, name, event["changes"]])
    limit = current_app.config["LAB_SETTINGS"].max_file_kb * 1024
    for name, text in files.items():
        if len(text.encode()) > limit:
            raise TimelineError(f"{name} would be over the {limit // 1024} KiB a file may hold.", 413)
    size = len(json.dumps(stored, separators=(",", ":")).encode())
    used = used_bytes(interview.id)
    if used + size > _cap_bytes():
        raise TimelineError(f"This interview's timeline is full ({_cap_bytes() // 1024} KiB): "
                            "recording stopped; your work is saved as before.", 413)
    _store(interview, item, session, files, stored, size, now)
    return used + size


def _store(interview: Interview, item: InterviewItem, session: str, files: dict, events: list,
           size: int, now: datetime) -> None:
    """The batch and the new head in one transaction; a batch from a concurrent request
    that moved the head first is refused (409) rather than applied to the wrong files."""
    moved = db.session.execute(
        update(InterviewItem)
        .where(InterviewItem.id == item.id, InterviewItem.timeline_version == item.timeline_version)
        .values(timeline_files=files, timeline_session=session,
                timeline_version=InterviewItem.timeline_version + 1)
        .execution_options(synchronize_session=False)).rowcount
    if not moved:
        db.session.rollback()
        raise TimelineError("Another batch was recorded at the same moment; send a snapshot.", 409)
    db.session.add(InterviewTimelineBatch(interview_id=interview.id, item=item.position + 1,
                                          created_at=now, events=events, size=size))
    db.session.commit()
    db.session.refresh(item)


def mark(interview: Interview, number: int, kind: str, now: datetime | None = None) -> None:
    """A marker on the timeline (`item`: the candidate opened it; `hint`: took a hint)."""
    event = [ms_since_start(interview, now or utcnow()), f"@{kind}"]
    size = len(json.dumps([event]))
    if used_bytes(interview.id) + size > _cap_bytes():
        return  # full: markers stop with the rest
    db.session.add(InterviewTimelineBatch(interview_id=interview.id, item=number,
                                          created_at=now or utcnow(), events=[event], size=size))
    db.session.commit()

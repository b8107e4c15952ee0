"""Practice drafts with versions: a save names the version it grew from.

Two tabs on one challenge, or a page brought back by the Back button, would otherwise
overwrite newer work with older text without anyone noticing.  Every save bumps the
draft's version; a save based on an older version is refused with the newer text, so
the editor can offer both (lab/static/src/autosave.js).  A save without a base version
(the API's plain PUT, "Reset to starter") still writes unconditionally.
"""

from __future__ import annotations

from datetime import datetime

from flask import jsonify
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from lab.extensions import db
from lab.models import Challenge, Draft, User, utcnow
from lab.submissions.service import SubmissionError, clean_files


class DraftConflict(SubmissionError):
    """A newer version of the draft is stored than the one the save was based on."""

    def __init__(self, version: int, files: dict[str, str], saved_at: datetime | None) -> None:
        super().__init__("This code was changed in another tab or window after this page "
                         "loaded, so it was not saved over.", 409)
        self.version = version
        self.files = files
        self.saved_at = saved_at

    def as_json(self) -> dict:
        return {"error": str(self), "conflict": {
            "version": self.version, "files": self.files,
            "saved_at": self.saved_at.isoformat() + "Z" if self.saved_at else None}}


def refused_save(exc: SubmissionError):
    """The JSON answer to a refused draft save, the same for practice and interview
    drafts, from the page or the API: a conflict carries the stored draft (409), any
    other refusal says what was wrong with its status."""
    if isinstance(exc, DraftConflict):
        return jsonify(exc.as_json()), 409
    return jsonify(error=str(exc)), exc.status, exc.headers()


def parse_base_version(body: dict) -> int | None:
    """The `base_version` of a save request: None when absent, else a whole number."""
    value = body.get("base_version")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SubmissionError("'base_version' must be a whole number (the draft version "
                              "the text was based on)", 400)
    return value


def _stored(user: User, challenge: Challenge) -> Draft | None:
    return db.session.scalar(select(Draft).where(Draft.user_id == user.id,
                                                 Draft.challenge_id == challenge.id))


def _conflict(user: User, challenge: Challenge) -> DraftConflict:
    db.session.rollback()
    draft = _stored(user, challenge)
    files, version = current_draft(user, challenge, draft)
    return DraftConflict(version, files, draft.updated_at if draft else None)


def save_draft(user: User, challenge: Challenge, files: object,
               base_version: int | None = None) -> Draft:
    """Store the files as the next version; DraftConflict when `base_version` is given
    and is not the stored version (checked inside the UPDATE, so two saves based on the
    same version cannot both win)."""
    cleaned = clean_files(challenge, files)
    draft = _stored(user, challenge)
    if draft is None:
        if base_version not in (None, 0):
            raise _conflict(user, challenge)
        draft = Draft(user_id=user.id, challenge_id=challenge.id, files=cleaned, version=1)
        db.session.add(draft)
        try:
            db.session.commit()
        except IntegrityError:  # another request created it first
            raise _conflict(user, challenge) from None
        return draft
    condition = Draft.id == draft.id
    if base_version is not None:
        condition = condition & (Draft.version == base_version)
    changed = db.session.execute(
        update(Draft).where(condition)
        .values(files=cleaned, version=Draft.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    if not changed:
        raise _conflict(user, challenge)
    db.session.commit()
    db.session.refresh(draft)
    return draft


def current_draft(user: User, challenge: Challenge,
                  draft: Draft | None = None) -> tuple[dict[str, str], int]:
    """The files the editor opens with (the draft over the starter) and their version."""
    if draft is None:
        draft = _stored(user, challenge)
    files = dict(challenge.starter)
    if draft is None:
        return files, 0
    files.update({k: v for k, v in draft.files.items() if k in challenge.editable})
    return files, draft.version

"""Who may watch an interview live, and how they got that right.

The rule, the same for every role:
- the candidate invites an interviewer with a one-time link, made on the interview's
  page; only its sha256 is stored, so the link is shown once.  Whoever claims it first
  (signed in, not the candidate) watches that interview and nothing else of the
  candidate;
- an admin may join any interview without a link.  The lab has no cohorts, so an
  instructor is not an admin here: an instructor watches only through an invite;
- every watcher is listed to the candidate, and the candidate can revoke any of them
  (or an unused link) at any moment.  Revoking ends the access at once; the row stays,
  so the list of who watched is never rewritten.

Each write is one conditional UPDATE, so two people claiming one link at once get one
winner and one clear refusal.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select, update

from lab.extensions import db
from lab.interviews.service import InterviewError
from lab.models import Interview, InterviewWatcher, User, token_digest, utcnow

MAX_OPEN_INVITES = 3  # unused, unrevoked links per interview at once
MAX_WATCHERS = 10  # everyone ever invited or joined, per interview
# While watched, the editor saves at most this long after the first unsaved keystroke
# (about 3 saves a second while typing, inside LAB_DRAFT_SAVES_PER_MINUTE's 240).
LIVE_SAVE_MS = 300


def watchers_of(interview: Interview) -> list[InterviewWatcher]:
    return list(db.session.scalars(select(InterviewWatcher)
                                   .where(InterviewWatcher.interview_id == interview.id)
                                   .order_by(InterviewWatcher.id)))


def live_save_ms(rows: list[InterviewWatcher]) -> int:
    """How soon the editor saves, given the interview's watcher rows: LIVE_SAVE_MS while
    an invite is out or someone watches, else 0 (its usual pause)."""
    return LIVE_SAVE_MS if any(row.state != "revoked" for row in rows) else 0


def watching_names(rows: list[InterviewWatcher]) -> list[str]:
    """Who watches now, as the candidate's banner names them."""
    return [row.user.email for row in rows if row.state == "watching"]


def create_invite(interview: Interview, now=None) -> str:
    """A new one-time link token for the candidate's running interview."""
    if interview.status != "active":
        raise InterviewError("The interview is over: there is nothing left to watch live.")
    rows = watchers_of(interview)
    if len(rows) >= MAX_WATCHERS:
        raise InterviewError(f"An interview can have at most {MAX_WATCHERS} watchers and "
                             "invite links in all (revoked ones stay listed and count).", 422)
    if sum(1 for row in rows if row.state == "pending") >= MAX_OPEN_INVITES:
        raise InterviewError(f"At most {MAX_OPEN_INVITES} invite links can wait to be used at "
                             "once: revoke an unused one first.", 422)
    token = secrets.token_urlsafe(24)
    db.session.add(InterviewWatcher(interview_id=interview.id, token_digest=token_digest(token),
                                    created_at=now or utcnow()))
    db.session.commit()
    return token


def revoke(interview: Interview, watcher_id: int, now=None) -> InterviewWatcher:
    row = db.session.get(InterviewWatcher, watcher_id)
    if row is None or row.interview_id != interview.id:
        raise InterviewError("No such watcher or invite on this interview.", 404)
    db.session.execute(update(InterviewWatcher)
                       .where(InterviewWatcher.id == watcher_id,
                              InterviewWatcher.revoked_at.is_(None))
                       .values(revoked_at=now or utcnow()))
    db.session.commit()
    db.session.refresh(row)
    return row


def invite_for(token: str) -> InterviewWatcher:
    """The invite a link names, whatever its state; 404 for a link that never existed."""
    row = None
    if 16 <= len(token) <= 64:
        row = db.session.scalar(select(InterviewWatcher)
                                .where(InterviewWatcher.token_digest == token_digest(token)))
    if row is None:
        raise InterviewError("This invite link is not valid: check that it was copied whole, "
                             "or ask the candidate for a new one.", 404)
    return row


def refuse_unclaimable(row: InterviewWatcher, user: User) -> None:
    """Raise why `user` cannot use this link; a link the user already claimed is fine."""
    if row.revoked_at is not None:
        raise InterviewError("The candidate revoked this invite link.", 410)
    if row.user_id == user.id:
        return
    if row.user_id is not None:
        raise InterviewError("This invite link was already used by someone else: each link "
                             "lets one person watch. Ask the candidate for your own.", 410)
    interview = db.session.get(Interview, row.interview_id)
    if interview.user_id == user.id:
        raise InterviewError("This is an invite to your own interview: send it to the "
                             "person who will interview you.", 403)


def claim(token: str, user: User, now=None) -> InterviewWatcher:
    """Make `user` the watcher an unused link invites; claiming one's own link again is
    fine, anything else that is not a fresh link is refused with the reason."""
    row = invite_for(token)
    refuse_unclaimable(row, user)
    if row.user_id == user.id:
        return row
    claimed = db.session.execute(
        update(InterviewWatcher)
        .where(InterviewWatcher.id == row.id, InterviewWatcher.user_id.is_(None),
               InterviewWatcher.revoked_at.is_(None))
        .values(user_id=user.id, claimed_at=now or utcnow())).rowcount
    db.session.commit()
    db.session.refresh(row)
    if not claimed and row.user_id != user.id:
        raise InterviewError("This invite link was used or revoked a moment ago.", 410)
    return row


def join_as_admin(interview: Interview, user: User, now=None) -> InterviewWatcher:
    """An admin watches without a link, listed to the candidate like anyone else."""
    if user.role != "admin":
        raise InterviewError("Only an admin can join an interview without an invite.", 403)
    if interview.user_id == user.id:
        raise InterviewError("This is your own interview.", 403)
    row = active_watcher(interview.id, user)
    if row is None:
        row = InterviewWatcher(interview_id=interview.id, user_id=user.id,
                               created_at=now or utcnow(), claimed_at=now or utcnow())
        db.session.add(row)
        db.session.commit()
    return row


def active_watcher(interview_id: int, user: User) -> InterviewWatcher | None:
    """The user's unrevoked watcher row on this interview: the one test of access."""
    if not getattr(user, "is_authenticated", False):
        return None
    watcher_id = active_watcher_id(interview_id, user.id)
    return None if watcher_id is None else db.session.get(InterviewWatcher, watcher_id)


def active_watcher_id(interview_id: int, user_id: int) -> int | None:
    return db.session.scalar(select(InterviewWatcher.id)
                             .where(InterviewWatcher.interview_id == interview_id,
                                    InterviewWatcher.user_id == user_id,
                                    InterviewWatcher.revoked_at.is_(None)).limit(1))

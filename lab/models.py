"""Database models: users, packs and challenge versions, drafts, submissions, and the
Submit statistics kept current as results are stored (lab/stats/counting.py)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, date, datetime

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from lab.extensions import db

ROLES = ("candidate", "instructor", "admin")
STATUSES = ("queued", "running", "done")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20), default="candidate")
    api_token_digest: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def new_api_token(self) -> str:
        """A fresh token; only its digest is stored, so it is shown once."""
        token = secrets.token_urlsafe(32)
        self.api_token_digest = token_digest(token)
        return token

    @property
    def is_instructor(self) -> bool:
        return self.role in ("instructor", "admin")


class Pack(db.Model):
    __tablename__ = "packs"
    __table_args__ = (UniqueConstraint("name", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")  # pack.yaml as written, for export
    enabled: Mapped[bool] = mapped_column(default=True)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    challenges: Mapped[list[Challenge]] = relationship(back_populates="pack")


def newest_pack_ids():
    """Subquery of the ids of the newest enabled version of each pack: the one query for
    "the current version" of a pack, wherever the lab needs it."""
    newest = (select(Pack.name, db.func.max(Pack.version).label("version"))
              .where(Pack.enabled).group_by(Pack.name).subquery())
    return (select(Pack.id).join(newest, (Pack.name == newest.c.name)
                                 & (Pack.version == newest.c.version)).subquery())


class PackMember:
    """What one pack version holds under a slug (a challenge, an interview template): the
    slug is unique within the version, and the row never changes after import, so
    `public_id` (pack/slug) names it for good."""

    id: Mapped[int] = mapped_column(primary_key=True)
    pack_id: Mapped[int] = mapped_column(ForeignKey("packs.id"), index=True)
    slug: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        return (UniqueConstraint("pack_id", "slug"),)  # a new constraint per table

    @property
    def public_id(self) -> str:
        return f"{self.pack.name}/{self.slug}"


class Challenge(PackMember, db.Model):
    """One challenge of one pack version.  Everything grading needs is stored here, so a
    worker on another machine needs only the database."""

    __tablename__ = "challenges"
    kind: Mapped[str] = mapped_column(String(20))
    difficulty: Mapped[str] = mapped_column(String(20), default="medium")
    topics: Mapped[list] = mapped_column(JSON, default=list)
    time_estimate_minutes: Mapped[int] = mapped_column(default=15)
    prompt_md: Mapped[str] = mapped_column(Text, default="")
    editable: Mapped[list] = mapped_column(JSON, default=list)
    hints: Mapped[list] = mapped_column(JSON, default=list)
    limits: Mapped[dict] = mapped_column(JSON, default=dict)
    points: Mapped[dict] = mapped_column(JSON, default=dict)
    explanation: Mapped[str] = mapped_column(Text, default="")
    # quiz kind: the questions with their answer keys (predict keys computed in the sandbox)
    questions: Mapped[list] = mapped_column(JSON, default=list)
    # relative path -> text: challenge.yaml, prompt.md, starter/, solution/, tests/, wrong/
    files: Mapped[dict] = mapped_column(JSON, default=dict)
    pack: Mapped[Pack] = relationship(back_populates="challenges")

    def folder(self, prefix: str) -> dict[str, str]:
        """Files under `prefix/` keyed by their name below it."""
        cut = len(prefix) + 1
        return {k[cut:]: v for k, v in self.files.items() if k.startswith(prefix + "/")}

    @property
    def starter(self) -> dict[str, str]:
        return {n: t for n, t in self.folder("starter").items() if n in self.editable}


class Draft(db.Model):
    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("user_id", "challenge_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id"))
    files: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Bumped by every save: an editor sends the version its text grew from, and a save
    # based on an older one (another tab, a page restored by Back) is refused, not merged.
    version: Mapped[int] = mapped_column(default=0, server_default="0")


class Submission(db.Model):
    __tablename__ = "submissions"
    # A candidate's submissions of one challenge, newest first (history pages, paged by id)
    # and their marks (solved / attempted): both read only the candidate's own rows.
    __table_args__ = (Index("ix_submissions_user_challenge_id", "user_id", "challenge_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id"), index=True)
    mode: Mapped[str] = mapped_column(String(10))
    files: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    verdict: Mapped[str | None] = mapped_column(String(20))
    score: Mapped[float | None] = mapped_column()
    max_score: Mapped[int | None] = mapped_column()
    result: Mapped[dict | None] = mapped_column(JSON)
    claim: Mapped[str | None] = mapped_column(String(64))  # who may store the result
    # The worker (host:pid, as in its heartbeat) that holds the claim: when its heartbeat
    # expires, another worker takes the run over (worker/jobs/liveness.py).
    claimed_by: Mapped[str | None] = mapped_column(String(255))
    attempts: Mapped[int] = mapped_column(default=0)
    # Results written for this row: 1 once graded (a regrade of infra_error adds one); a
    # second write of the same grading would show here.
    results_stored: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    enqueued_at: Mapped[datetime | None] = mapped_column()
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    # set when made inside a mock interview: its latest submit is the item's answer
    interview_item_id: Mapped[int | None] = mapped_column(ForeignKey("interview_items.id"),
                                                           index=True)
    challenge: Mapped[Challenge] = relationship()
    user: Mapped[User] = relationship()


class ChallengeDayStats(db.Model):
    """Finished Submits of a challenge made on one UTC day, and how many passed.  Summing
    the days of a window gives the dashboard's attempts and pass rate without reading
    submissions."""

    __tablename__ = "challenge_day_stats"
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    attempts: Mapped[int] = mapped_column(default=0)
    passed: Mapped[int] = mapped_column(default=0)
    # candidates whose first passing Submit of the challenge was made that day: how many
    # solve times a window's median is taken over, without counting them
    first_passes: Mapped[int] = mapped_column(default=0)


class ChallengeDayFailure(db.Model):
    """How often a test failed in the finished Submits of a challenge made on one UTC day:
    the failing test names, taken out of the result JSON once, when it is stored."""

    __tablename__ = "challenge_day_failures"
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    test_name: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)


class ChallengeProgress(db.Model):
    """One candidate on one challenge: the first finished Submit, the first passing one
    and the seconds between them, for the median time to solve."""

    __tablename__ = "challenge_progress"
    # The all-time median walks a challenge's solve times in order to the middle; a
    # window's median reads the solvers whose first pass falls in it, with their times.
    __table_args__ = (Index("ix_challenge_progress_solve", "challenge_id", "solve_seconds"),
                      Index("ix_challenge_progress_pass", "challenge_id", "first_pass_at",
                            "solve_seconds"))
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    first_try_at: Mapped[datetime] = mapped_column()
    first_pass_at: Mapped[datetime | None] = mapped_column()
    solve_seconds: Mapped[float | None] = mapped_column()


class PackUpload(db.Model):
    """A pack zip an instructor uploaded: checked, verified and imported by a worker.
    The bytes live in the database so a worker on any machine can take the job."""

    __tablename__ = "pack_uploads"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(10), default="queued")  # queued|running|done
    ok: Mapped[bool | None] = mapped_column()
    report: Mapped[dict | None] = mapped_column(JSON)
    pack_id: Mapped[int | None] = mapped_column(ForeignKey("packs.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()


class InterviewTemplate(PackMember, db.Model):
    """A timed mock interview as an instructor wrote it (`interviews/<slug>.yaml` of a
    pack).  Like challenges, a template belongs to one pack version and never changes."""

    __tablename__ = "interview_templates"
    description: Mapped[str] = mapped_column(Text, default="")
    time_limit_seconds: Mapped[int] = mapped_column()
    passing_score: Mapped[float] = mapped_column(default=60.0)  # percent of the weighted total
    spec: Mapped[dict] = mapped_column(JSON)  # the schema-valid YAML, parsed
    source: Mapped[str] = mapped_column(Text, default="")  # the YAML as written, for export
    pack: Mapped[Pack] = relationship()


class Interview(db.Model):
    """One candidate's attempt at a template.  The clock is `deadline_at`, set once at the
    start; `status` moves active -> grading -> done, each step by a conditional UPDATE so
    that several processes noticing the deadline finalize it exactly once."""

    __tablename__ = "interviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("interview_templates.id"), index=True)
    seed: Mapped[int] = mapped_column()  # drew the items; recorded so the draw can be replayed
    status: Mapped[str] = mapped_column(String(10), default="active", index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline_at: Mapped[datetime] = mapped_column(index=True)
    ended_at: Mapped[datetime | None] = mapped_column()  # deadline reached or finished early
    finalized_by: Mapped[str | None] = mapped_column(String(64))
    finished_at: Mapped[datetime | None] = mapped_column()  # scorecard written
    score: Mapped[float | None] = mapped_column()  # percent
    passed: Mapped[bool | None] = mapped_column()
    scorecard: Mapped[dict | None] = mapped_column(JSON)
    # the item (1-based) the candidate last opened: what a watching interviewer is shown
    current_item: Mapped[int | None] = mapped_column()
    template: Mapped[InterviewTemplate] = relationship()
    user: Mapped[User] = relationship()
    sections: Mapped[list[InterviewSection]] = relationship(
        order_by="InterviewSection.position", back_populates="interview")
    items: Mapped[list[InterviewItem]] = relationship(
        order_by="InterviewItem.position", back_populates="interview")


class InterviewSection(db.Model):
    __tablename__ = "interview_sections"
    __table_args__ = (UniqueConstraint("interview_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id"), index=True)
    position: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(200))
    time_limit_seconds: Mapped[int | None] = mapped_column()
    opened_at: Mapped[datetime | None] = mapped_column()  # its own clock starts here
    deadline_at: Mapped[datetime | None] = mapped_column()
    interview: Mapped[Interview] = relationship(back_populates="sections")


class InterviewItem(db.Model):
    """A task (a hands-on challenge) or one quiz question of an interview, with the
    candidate's work on it.  Drafts live here, not in `drafts`, so practice and
    interview work never overwrite each other."""

    __tablename__ = "interview_items"
    __table_args__ = (UniqueConstraint("interview_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id"), index=True)
    position: Mapped[int] = mapped_column()
    section: Mapped[int] = mapped_column(default=0)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id"))
    question_id: Mapped[str | None] = mapped_column(String(100))  # set for quiz questions
    weight: Mapped[float] = mapped_column(default=1.0)
    files: Mapped[dict | None] = mapped_column(JSON)  # task draft
    draft_version: Mapped[int] = mapped_column(default=0, server_default="0")  # as Draft.version
    answer: Mapped[dict | None] = mapped_column(JSON)  # question: {"value": ...}
    saved_at: Mapped[datetime | None] = mapped_column()
    submitted_at: Mapped[datetime | None] = mapped_column()
    # fixed by finalization: the submission that scores this item (plain id: a foreign key
    # back to submissions would make the two tables reference each other)
    counted_submission_id: Mapped[int | None] = mapped_column()
    seconds_spent: Mapped[float] = mapped_column(default=0.0)
    hints_used: Mapped[int] = mapped_column(default=0)
    fraction: Mapped[float | None] = mapped_column()  # 0..1 once scored
    # the edit timeline's head: the files as its recorded changes left them, and the
    # editor page (session) that recorded last (lab/interviews/timeline.py)
    timeline_files: Mapped[dict | None] = mapped_column(JSON)
    timeline_session: Mapped[str | None] = mapped_column(String(40))
    timeline_version: Mapped[int] = mapped_column(default=0, server_default="0")
    interview: Mapped[Interview] = relationship(back_populates="items")
    challenge: Mapped[Challenge] = relationship()

    @property
    def is_question(self) -> bool:
        return self.question_id is not None



class InterviewWatcher(db.Model):
    """Someone allowed to watch one interview live: an interviewer who claimed a one-time
    invite link the candidate made (only the link's digest is stored, so it is shown once),
    or an admin who joined.  `revoked_at` ends the access at once; the row stays, so the
    candidate's list of who watched is never rewritten."""

    __tablename__ = "interview_watchers"
    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id"), index=True)
    token_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)  # claimed by
    claimed_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    user: Mapped[User | None] = relationship()

    @property
    def state(self) -> str:
        """pending (link not used yet), watching, or revoked."""
        if self.revoked_at is not None:
            return "revoked"
        return "pending" if self.user_id is None else "watching"


class InterviewNote(db.Model):
    """An interviewer's note, anchored to a moment of the interview (seconds from its
    start), the item then on screen and, if asked, a line range of a file as it read then
    (`quote`, copied, so later edits do not change what the note points at).  Private to
    its author until the author's review is shared."""

    __tablename__ = "interview_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    at_seconds: Mapped[float] = mapped_column()
    item: Mapped[int] = mapped_column()  # 1-based, as in the URLs
    body: Mapped[str] = mapped_column(Text)
    file: Mapped[str | None] = mapped_column(String(200))
    line_from: Mapped[int | None] = mapped_column()
    line_to: Mapped[int | None] = mapped_column()
    quote: Mapped[str | None] = mapped_column(Text)
    author: Mapped[User] = relationship()


class InterviewReview(db.Model):
    """One interviewer's rubric scores (per item, per criterion, 1 to 4) and summary of
    an interview.  The candidate sees it, with the author's notes, once `shared_at` is set."""

    __tablename__ = "interview_reviews"
    __table_args__ = (UniqueConstraint("interview_id", "author_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    scores: Mapped[dict] = mapped_column(JSON, default=dict)  # {"<item>": {"<criterion>": n}}
    summary: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    shared_at: Mapped[datetime | None] = mapped_column()
    author: Mapped[User] = relationship()


class InterviewTimelineBatch(db.Model):
    """Part of an interview's edit timeline, for playback: the editor's change sets (or a
    whole file, where recording starts) of one item, each at milliseconds from the
    interview's start by the server's clock; or markers (item switches, hints).  Runs and
    Submits are not copied here: the submissions table has them."""

    __tablename__ = "interview_timeline"
    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id"), index=True)
    item: Mapped[int] = mapped_column()  # 1-based
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    events: Mapped[list] = mapped_column(JSON)
    size: Mapped[int] = mapped_column()  # bytes of `events` as JSON, counted against the cap

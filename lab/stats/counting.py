"""Submit statistics kept current as results are stored, so no page view reads the
submissions or their result JSON.

What counts is what the dashboard always counted: a finished (`done`) Submit, practice or
interview.  Each one adds to three tables (lab/models.py): its challenge's day row
(attempts, passed, first passes), the failures of each failing test on that day, and the candidate's
progress row on the challenge (first try, first pass).  `count()` adds a submission,
`uncount()` takes it away again (a regrade reopening it, a deletion).

Counters change by one statement that adds to the stored value (`n = n + 1`, an upsert),
so two workers storing results at once both count: on PostgreSQL the second statement
waits for the first one's row lock and adds to what it committed; SQLite lets one writer
in at a time.  A progress row is read and written under its row lock (SELECT ... FOR
UPDATE), so of two results of one candidate the second sees the first; taking a
submission away recomputes the row from the candidate's remaining submissions of that
challenge (a few rows, by index).

ORM inserts, updates and deletes of submissions are counted by the mapper events at the
end; the worker's bulk UPDATEs (worker/jobs/tasks.py) call count()/uncount() themselves in the
same transaction.  `lab db stats-rebuild` recounts everything (lab/stats/repair.py).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case, event, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import attributes

from lab.models import ChallengeDayFailure, ChallengeDayStats, ChallengeProgress, Submission, utcnow

NAME_LIMIT = 300  # characters of a test name kept (the column's width)
# The submission columns that decide whether and how it counts.
COUNTED_COLUMNS = ("mode", "status", "verdict", "result", "created_at", "challenge_id", "user_id")


@dataclass(frozen=True)
class Counted:
    """What one finished Submit adds to the statistics."""

    submission_id: int | None
    challenge_id: int
    user_id: int
    created_at: datetime
    passed: bool
    failing: tuple[tuple[str, int], ...]  # (test name, times it failed in this result)


def failing_tests(result: object) -> Counter[str]:
    """Names of the tests of a result document that did not pass (the same reading the
    dashboard always made: anything but outcome 'passed' is a failure)."""
    tests = result.get("tests") if isinstance(result, dict) else None
    names: Counter[str] = Counter()
    for test in tests if isinstance(tests, list) else ():
        if isinstance(test, dict) and test.get("outcome") != "passed":
            names[str(test.get("name", "?"))[:NAME_LIMIT]] += 1
    return names


def counted(submission_id: int | None, mode: str | None, status: str | None,
            verdict: str | None, result: object, challenge_id: int, user_id: int,
            created_at: datetime) -> Counted | None:
    """The contribution of a submission in this state, or None if it does not count."""
    if mode != "submit" or status != "done":
        return None
    return Counted(submission_id, challenge_id, user_id, created_at, verdict == "passed",
                   tuple(sorted(failing_tests(result).items())))


def _insert(connection: Connection, model):
    # Both dialects' INSERT ... ON CONFLICT; SQLAlchemy's generic insert has none.
    if connection.dialect.name == "postgresql":
        return postgresql_insert(model)
    return sqlite_insert(model)


def count(connection: Connection, item: Counted) -> None:
    """Add one finished Submit, in the caller's transaction."""
    days = {item.created_at.date(): [1, int(item.passed), 0]}
    _change_days(connection, item.challenge_id, days, _add_progress(connection, item))
    _change_failures(connection, item, 1)


def uncount(connection: Connection, item: Counted) -> None:
    """Take one finished Submit away again, in the caller's transaction.  Its row may
    still be in the table (a deletion about to happen): it is left out by id."""
    days = {item.created_at.date(): [-1, -int(item.passed), 0]}
    moved = refresh_progress(connection, item.challenge_id, item.user_id, item.submission_id)
    _change_days(connection, item.challenge_id, days, moved)
    _change_failures(connection, item, -1)


# Rows are locked in one order by every writer: the submission, its candidate's progress
# row, the day rows by date, the failure rows by name.  Two transactions then never wait
# for each other both ways (a deadlock PostgreSQL would end by failing one of them).

def _change_days(connection: Connection, challenge_id: int, days: dict[date, list[int]],
                 moved: tuple[date | None, date | None]) -> None:
    old_day, new_day = moved
    if old_day != new_day:
        for day, step in ((old_day, -1), (new_day, 1)):
            if day is not None:
                days.setdefault(day, [0, 0, 0])[2] += step
    for day in sorted(days):
        attempts, passed, first_passes = days[day]
        stmt = _insert(connection, ChallengeDayStats).values(
            challenge_id=challenge_id, day=day, attempts=attempts, passed=passed,
            first_passes=first_passes)
        connection.execute(stmt.on_conflict_do_update(
            index_elements=["challenge_id", "day"],
            set_={"attempts": ChallengeDayStats.attempts + attempts,
                  "passed": ChallengeDayStats.passed + passed,
                  "first_passes": ChallengeDayStats.first_passes + first_passes}))


def _change_failures(connection: Connection, item: Counted, sign: int) -> None:
    day = item.created_at.date()
    for name, times in item.failing:  # sorted by name
        stmt = _insert(connection, ChallengeDayFailure).values(
            challenge_id=item.challenge_id, day=day, test_name=name, failures=sign * times)
        connection.execute(stmt.on_conflict_do_update(
            index_elements=["challenge_id", "day", "test_name"],
            set_={"failures": ChallengeDayFailure.failures + sign * times}))


def _locked_progress(connection: Connection, challenge_id: int, user_id: int):
    """The candidate's progress row, locked until the transaction ends (PostgreSQL; on
    SQLite the transaction holds the one write lock already), or None."""
    return connection.execute(
        select(ChallengeProgress.first_try_at, ChallengeProgress.first_pass_at)
        .where(ChallengeProgress.challenge_id == challenge_id, ChallengeProgress.user_id == user_id)
        .with_for_update()).first()


def _add_progress(connection: Connection, item: Counted) -> tuple[date | None, date | None]:
    """Move the candidate's first try and first pass earlier if this Submit is earlier;
    returns the first pass's day before and after.  The row is read and written under
    its lock, so of two results of one candidate stored at once the second sees the
    first; a row another transaction inserts meanwhile is waited for, then locked."""
    new_pass = item.created_at if item.passed else None
    old = _locked_progress(connection, item.challenge_id, item.user_id)
    if old is None:
        inserted = connection.execute(_insert(connection, ChallengeProgress).values(
            challenge_id=item.challenge_id, user_id=item.user_id, first_try_at=item.created_at,
            first_pass_at=new_pass, solve_seconds=0.0 if item.passed else None)
            .on_conflict_do_nothing()).rowcount
        if inserted:
            return None, _day(new_pass)
        old = _locked_progress(connection, item.challenge_id, item.user_id)
    passes = [t for t in (old.first_pass_at, new_pass) if t is not None]
    return _write_progress(connection, item.challenge_id, item.user_id, old,
                           min(old.first_try_at, item.created_at), min(passes, default=None))


def refresh_progress(connection: Connection, challenge_id: int, user_id: int,
                     leave_out: int | None = None) -> tuple[date | None, date | None]:
    """Recompute one candidate's progress row from their submissions of the challenge
    (after one stopped counting); returns the first pass's day before and after.
    Locked first, so a result of this candidate stored meanwhile either committed
    before the recount reads, or waits and then applies itself to the recounted row."""
    old = _locked_progress(connection, challenge_id, user_id)
    if old is None:
        return None, None
    mine = [Submission.challenge_id == challenge_id, Submission.user_id == user_id,
            Submission.mode == "submit", Submission.status == "done"]
    if leave_out is not None:
        mine.append(Submission.id != leave_out)
    first_try, first_pass = connection.execute(select(
        func.min(Submission.created_at),
        func.min(case((Submission.verdict == "passed", Submission.created_at)))).where(*mine)).one()
    return _write_progress(connection, challenge_id, user_id, old, first_try, first_pass)


def _write_progress(connection: Connection, challenge_id: int, user_id: int, old,
                    first_try: datetime | None,
                    first_pass: datetime | None) -> tuple[date | None, date | None]:
    """Store the locked row's new times (no first try left: delete it)."""
    pair = (ChallengeProgress.challenge_id == challenge_id, ChallengeProgress.user_id == user_id)
    if first_try is None:
        connection.execute(ChallengeProgress.__table__.delete().where(*pair))
        first_pass = None
    elif (first_try, first_pass) != (old.first_try_at, old.first_pass_at):
        solve = (first_pass - first_try).total_seconds() if first_pass is not None else None
        connection.execute(update(ChallengeProgress).where(*pair).values(
            first_try_at=first_try, first_pass_at=first_pass, solve_seconds=solve))
    return _day(old.first_pass_at), _day(first_pass)


def _day(moment: datetime | None) -> date | None:
    return moment.date() if moment is not None else None


def counted_row(connection: Connection, submission_id: int) -> Counted | None:
    """The contribution of a submission as the database holds it now."""
    row = connection.execute(select(
        Submission.mode, Submission.status, Submission.verdict, Submission.result,
        Submission.challenge_id, Submission.user_id, Submission.created_at)
        .where(Submission.id == submission_id).with_for_update()).first()
    if row is None:
        return None
    mode, status, verdict, result, challenge_id, user_id, created_at = row
    return counted(submission_id, mode, status, verdict, result, challenge_id, user_id, created_at)


def _counted_object(target: Submission) -> Counted | None:
    return counted(target.id, target.mode, target.status, target.verdict, target.result,
                   target.challenge_id, target.user_id, target.created_at)


@event.listens_for(Submission, "after_insert")
def _inserted(_mapper, connection: Connection, target: Submission) -> None:
    item = _counted_object(target)
    if item is not None:
        count(connection, item)


@event.listens_for(Submission, "before_update")
def _updating(_mapper, connection: Connection, target: Submission) -> None:
    # The old state is read from the database, not the ORM's history: an attribute set
    # on an expired object has no old value in the history.
    if not any(attributes.get_history(target, name, attributes.PASSIVE_NO_INITIALIZE).has_changes()
               for name in COUNTED_COLUMNS):
        return
    old = counted_row(connection, target.id)
    if old is not None:
        uncount(connection, old)
    new = _counted_object(target)
    if new is not None:
        count(connection, new)


@event.listens_for(Submission, "before_delete")
def _deleting(_mapper, connection: Connection, target: Submission) -> None:
    old = counted_row(connection, target.id)
    if old is not None:
        uncount(connection, old)


def window_start(days: int | None, today: date | None = None) -> date | None:
    """First day of a window of the last `days` UTC days, today included; None: all."""
    if not days:
        return None

    return (today or utcnow().date()) - timedelta(days=days - 1)

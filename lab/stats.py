"""Submit statistics kept current as results are stored, so no page view reads the
submissions or their result JSON.

What counts is what the dashboard always counted: a finished (`done`) Submit, practice or
interview.  Each one adds to three tables (lab/models.py): its challenge's day row
(attempts, passed), the failures of each failing test on that day, and the candidate's
progress row on the challenge (first try, first pass).  `count()` adds a submission,
`uncount()` takes it away again (a regrade reopening it, a deletion).

Every change is one statement that adds to the stored value (`n = n + 1`, an upsert, or a
"keep the earlier time" upsert), so two workers storing results at once both count: on
PostgreSQL the second statement waits for the first one's row lock and adds to what it
committed; SQLite lets one writer in at a time.  Taking a submission away cannot be done
that way for the first-try time, so the progress row is locked and recomputed from the
candidate's remaining submissions of that challenge (a few rows, by index).

ORM inserts, updates and deletes of submissions are counted by the mapper events at the
end; the worker's bulk UPDATEs (worker/tasks.py) call count()/uncount() themselves in the
same transaction.  `lab db stats-rebuild` recounts everything (lab/stats_repair.py).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import DateTime, case, event, extract, func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import attributes

from lab.models import ChallengeDayFailure, ChallengeDayStats, ChallengeProgress, Submission

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
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model)


def _earlier(connection: Connection, old, new):
    """The earlier of two times, either of which may be NULL."""
    least = func.least if connection.dialect.name == "postgresql" else func.min  # SQLite: scalar min
    return least(func.coalesce(old, new), func.coalesce(new, old), type_=DateTime)


def seconds_between(connection: Connection, start, end):
    """SQL for the seconds from `start` to `end` (NULL if either is NULL)."""
    if connection.dialect.name == "postgresql":
        return extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


def count(connection: Connection, item: Counted) -> None:
    """Add one finished Submit, in the caller's transaction."""
    day = item.created_at.date()
    stmt = _insert(connection, ChallengeDayStats).values(
        challenge_id=item.challenge_id, day=day, attempts=1, passed=int(item.passed))
    connection.execute(stmt.on_conflict_do_update(
        index_elements=["challenge_id", "day"],
        set_={"attempts": ChallengeDayStats.attempts + 1,
              "passed": ChallengeDayStats.passed + int(item.passed)}))
    for name, times in item.failing:
        stmt = _insert(connection, ChallengeDayFailure).values(
            challenge_id=item.challenge_id, day=day, test_name=name, failures=times)
        connection.execute(stmt.on_conflict_do_update(
            index_elements=["challenge_id", "day", "test_name"],
            set_={"failures": ChallengeDayFailure.failures + times}))
    first_pass = item.created_at if item.passed else None
    stmt = _insert(connection, ChallengeProgress).values(
        challenge_id=item.challenge_id, user_id=item.user_id, first_try_at=item.created_at,
        first_pass_at=first_pass,
        solve_seconds=0.0 if item.passed else None)
    # Both times only ever move earlier here, so the order in which concurrent results
    # arrive does not matter; the right-hand sides all read the row as it was.
    try_at = _earlier(connection, ChallengeProgress.first_try_at, stmt.excluded.first_try_at)
    pass_at = _earlier(connection, ChallengeProgress.first_pass_at, stmt.excluded.first_pass_at)
    connection.execute(stmt.on_conflict_do_update(
        index_elements=["challenge_id", "user_id"],
        set_={"first_try_at": try_at, "first_pass_at": pass_at,
              "solve_seconds": seconds_between(connection, try_at, pass_at)}))


def uncount(connection: Connection, item: Counted) -> None:
    """Take one finished Submit away again, in the caller's transaction.  Its row may
    still be in the table (a deletion about to happen): it is left out by id."""
    day = item.created_at.date()
    connection.execute(update(ChallengeDayStats).where(
        ChallengeDayStats.challenge_id == item.challenge_id, ChallengeDayStats.day == day)
        .values(attempts=ChallengeDayStats.attempts - 1,
                passed=ChallengeDayStats.passed - int(item.passed)))
    for name, times in item.failing:
        connection.execute(update(ChallengeDayFailure).where(
            ChallengeDayFailure.challenge_id == item.challenge_id, ChallengeDayFailure.day == day,
            ChallengeDayFailure.test_name == name)
            .values(failures=ChallengeDayFailure.failures - times))
    refresh_progress(connection, item.challenge_id, item.user_id, item.submission_id)


def refresh_progress(connection: Connection, challenge_id: int, user_id: int,
                     leave_out: int | None = None) -> None:
    """Recompute one candidate's progress row from their submissions of the challenge."""
    pair = (ChallengeProgress.challenge_id == challenge_id, ChallengeProgress.user_id == user_id)
    # Lock first (PostgreSQL; SQLite has one writer anyway): a result of this pair stored
    # meanwhile then either committed before the recount reads, or waits and lowers the
    # recounted times afterwards.
    connection.execute(select(ChallengeProgress.user_id).where(*pair).with_for_update())
    mine = [Submission.challenge_id == challenge_id, Submission.user_id == user_id,
            Submission.mode == "submit", Submission.status == "done"]
    if leave_out is not None:
        mine.append(Submission.id != leave_out)
    first_try, first_pass = connection.execute(select(
        func.min(Submission.created_at),
        func.min(case((Submission.verdict == "passed", Submission.created_at)))).where(*mine)).one()
    if first_try is None:
        connection.execute(ChallengeProgress.__table__.delete().where(*pair))
        return
    solve = (first_pass - first_try).total_seconds() if first_pass is not None else None
    values = {"first_try_at": first_try, "first_pass_at": first_pass, "solve_seconds": solve}
    if not connection.execute(update(ChallengeProgress).where(*pair).values(**values)).rowcount:
        connection.execute(_insert(connection, ChallengeProgress).values(
            challenge_id=challenge_id, user_id=user_id, **values).on_conflict_do_nothing())


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
    from datetime import timedelta

    from lab.models import utcnow

    return (today or utcnow().date()) - timedelta(days=days - 1)

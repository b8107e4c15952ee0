"""The instructor dashboard's figures, read from the statistics tables (lab/stats.py).

Each query reads rows per challenge and day, or per challenge and candidate, by their
primary key or index: the cost follows the number of challenges, days and candidates
shown, never the number of submissions.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import and_, func, select

from lab.extensions import db
from lab.models import ChallengeDayFailure, ChallengeDayStats, ChallengeProgress


def challenge_stats(challenge_ids: list[int], since: date | None = None) -> dict[int, dict]:
    """attempts, passed, pass rate, median minutes from first try to first pass, the test
    that fails most often, per challenge with at least one finished Submit.  `since`: only
    Submits made on that UTC day or later, and candidates whose first pass falls there."""
    if not challenge_ids:
        return {}
    days = [ChallengeDayStats.challenge_id.in_(challenge_ids)]
    if since is not None:
        days.append(ChallengeDayStats.day >= since)
    stats: dict[int, dict] = {}
    for challenge_id, attempts, passed in db.session.execute(
            select(ChallengeDayStats.challenge_id, func.sum(ChallengeDayStats.attempts),
                   func.sum(ChallengeDayStats.passed))
            .where(*days).group_by(ChallengeDayStats.challenge_id)):
        if attempts:
            stats[challenge_id] = {"attempts": int(attempts), "passed": int(passed),
                                   "pass_rate": round(100 * int(passed) / int(attempts)),
                                   "median_minutes": None, "top_failing": ""}
    for challenge_id, minutes in median_minutes(list(stats), since).items():
        stats[challenge_id]["median_minutes"] = minutes
    for challenge_id, (name, times) in top_failing(list(stats), since).items():
        stats[challenge_id]["top_failing"] = f"{name} ({times}x)"
    return stats


def top_failing(challenge_ids: list[int], since: date | None) -> dict[int, tuple[str, int]]:
    """The most often failing test per challenge; of equal counts the first by name."""
    if not challenge_ids:
        return {}
    where = [ChallengeDayFailure.challenge_id.in_(challenge_ids)]
    if since is not None:
        where.append(ChallengeDayFailure.day >= since)
    total = func.sum(ChallengeDayFailure.failures)
    best: dict[int, tuple[str, int]] = {}
    for challenge_id, name, times in db.session.execute(
            select(ChallengeDayFailure.challenge_id, ChallengeDayFailure.test_name, total)
            .where(*where).group_by(ChallengeDayFailure.challenge_id, ChallengeDayFailure.test_name)
            .having(total > 0)):
        held = best.get(challenge_id)
        if held is None or (-times, name) < (-held[1], held[0]):
            best[challenge_id] = (name, int(times))
    return best


def median_minutes(challenge_ids: list[int], since: date | None) -> dict[int, float]:
    """Median over candidates of the minutes from their first Submit to their first
    passing one, rounded to 0.1.  The database picks the middle one or two solve times
    per challenge (window functions, in the index's order), so only those travel."""
    if not challenge_ids:
        return {}
    where = [ChallengeProgress.challenge_id.in_(challenge_ids),
             ChallengeProgress.solve_seconds.is_not(None)]
    if since is not None:
        where.append(ChallengeProgress.first_pass_at >= datetime.combine(since, time()))
    ranked = select(
        ChallengeProgress.challenge_id.label("challenge_id"),
        ChallengeProgress.solve_seconds.label("seconds"),
        func.row_number().over(partition_by=ChallengeProgress.challenge_id,
                               order_by=ChallengeProgress.solve_seconds).label("position"),
        func.count().over(partition_by=ChallengeProgress.challenge_id).label("solvers"),
    ).where(*where).subquery()
    # positions (n+1)/2 and (n+2)/2 in integer division: the same row when n is odd
    middle = select(ranked.c.challenge_id, ranked.c.seconds).where(and_(
        ranked.c.position >= (ranked.c.solvers + 1) // 2,
        ranked.c.position <= (ranked.c.solvers + 2) // 2))
    picked: dict[int, list[float]] = {}
    for challenge_id, seconds in db.session.execute(middle):
        # milliseconds: SQLite's julianday arithmetic is exact only to about 0.1 ms
        picked.setdefault(challenge_id, []).append(round(float(seconds), 3) / 60)
    return {cid: round(sum(values) / len(values), 1) for cid, values in picked.items()}

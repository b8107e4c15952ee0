"""The instructor dashboard's figures, read from the statistics tables (lab/stats/counting.py).

Each query reads rows per challenge and day, or per challenge and candidate, by their
primary key or index: the cost follows the number of challenges, days and candidates
shown, never the number of submissions.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import DateTime, bindparam, func, select, text

from lab.extensions import db
from lab.models import ChallengeDayFailure, ChallengeDayStats

COMPOUND_LIMIT = 400  # SELECTs in one UNION ALL (SQLite allows 500)


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
    solvers: dict[int, int] = {}
    for challenge_id, attempts, passed, first_passes in db.session.execute(
            select(ChallengeDayStats.challenge_id, func.sum(ChallengeDayStats.attempts),
                   func.sum(ChallengeDayStats.passed), func.sum(ChallengeDayStats.first_passes))
            .where(*days).group_by(ChallengeDayStats.challenge_id)):
        if attempts:
            stats[challenge_id] = {"attempts": int(attempts), "passed": int(passed),
                                   "pass_rate": round(100 * int(passed) / int(attempts)),
                                   "median_minutes": None, "top_failing": ""}
            solvers[challenge_id] = int(first_passes)
    for challenge_id, minutes in median_minutes(solvers, since).items():
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


def median_minutes(solvers: dict[int, int], since: date | None) -> dict[int, float]:
    """Median over candidates of the minutes from their first Submit to their first
    passing one, rounded to 0.1.  `solvers`: challenge id -> how many candidates first
    passed it in the window (summed from the day rows), so nothing is counted here.  Only
    the middle one or two solve times of each challenge leave the database, by LIMIT and
    OFFSET, all challenges in one statement: for all time along the (challenge, solve
    time) index, for a window over its solvers found by the (challenge, first pass) index.
    (Window functions over every candidate's row took 130 ms on SQLite at 108k
    candidate-challenge pairs; counting them first, 50 ms.)"""
    # Written as text: built with SQLAlchemy's constructs, the 50-odd subqueries cost more
    # Python time (10 ms a view) than the database spends on them.
    window, order = "", "solve_seconds"
    if since is not None:
        window = "AND first_pass_at >= :since"
        # "+ 0": not in index order, so SQLite takes the window's few rows by the first-pass
        # index and sorts them, instead of walking every solve time of the challenge.
        order = "solve_seconds + 0"
    counted = [(cid, n) for cid, n in solvers.items() if n > 0]
    picked: dict[int, list[float]] = {}
    for start in range(0, len(counted), COMPOUND_LIMIT):
        chunk = counted[start:start + COMPOUND_LIMIT]
        query = text(" UNION ALL ".join(
            f"SELECT * FROM (SELECT challenge_id, solve_seconds FROM challenge_progress "
            f"WHERE challenge_id = :c{i} AND solve_seconds IS NOT NULL {window} "
            f"ORDER BY {order} LIMIT {2 - n % 2} OFFSET {(n - 1) // 2}) AS m{i}"
            for i, (_, n) in enumerate(chunk)))
        params = {f"c{i}": cid for i, (cid, _) in enumerate(chunk)}
        if since is not None:
            query = query.bindparams(bindparam("since", type_=DateTime))
            params["since"] = datetime.combine(since, time())
        for challenge_id, seconds in db.session.execute(query, params):
            # milliseconds: SQLite's julianday arithmetic is exact only to about 0.1 ms
            picked.setdefault(challenge_id, []).append(round(float(seconds), 3) / 60)
    return {cid: round(sum(values) / len(values), 1) for cid, values in picked.items()}

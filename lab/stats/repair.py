"""Backfill and repair of the statistics tables (lab/stats/counting.py): a full recount from the
submissions, written in SQL so that the database reads the result JSON of a million
submissions in seconds, not Python.  `lab db stats-rebuild` replaces the tables with it;
`lab db stats-check` compares them with it and names every difference.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from lab.stats.counting import NAME_LIMIT

TABLES = ("challenge_day_stats", "challenge_day_failures", "challenge_progress")
COUNTED = "s.mode = 'submit' AND s.status = 'done'"


def _day(dialect: str) -> str:
    return "CAST(s.created_at AS date)" if dialect == "postgresql" else "date(s.created_at)"


def recount_sql(dialect: str) -> dict[str, str]:
    """table -> a SELECT giving its rows as a full recount would (columns in table order)."""
    day = _day(dialect)
    if dialect == "postgresql":
        tests = ("CROSS JOIN LATERAL json_array_elements(CASE WHEN json_typeof(s.result -> 'tests') "
                 "= 'array' THEN s.result -> 'tests' ELSE '[]'::json END) AS t(value)")
        is_object, name, outcome = ("json_typeof(t.value) = 'object'", "t.value ->> 'name'",
                                    "t.value ->> 'outcome'")
    else:
        tests = "JOIN json_each(s.result, '$.tests') AS t"
        is_object, name, outcome = ("t.type = 'object'", "json_extract(t.value, '$.name')",
                                    "json_extract(t.value, '$.outcome')")
    failing_name = f"substr(COALESCE({name}, '?'), 1, {NAME_LIMIT})"
    progress = (
        "SELECT s.challenge_id, s.user_id, MIN(s.created_at) AS first_try_at, "
        "MIN(CASE WHEN s.verdict = 'passed' THEN s.created_at END) AS first_pass_at "
        f"FROM submissions s WHERE {COUNTED} GROUP BY s.challenge_id, s.user_id")
    pass_day = _day(dialect).replace("s.created_at", "p.first_pass_at")
    return {
        "challenge_day_stats": (
            "SELECT d.challenge_id, d.day, d.attempts, d.passed, COALESCE(f.n, 0) AS first_passes "
            f"FROM (SELECT s.challenge_id, {day} AS day, COUNT(*) AS attempts, "
            "SUM(CASE WHEN s.verdict = 'passed' THEN 1 ELSE 0 END) AS passed "
            f"FROM submissions s WHERE {COUNTED} GROUP BY s.challenge_id, {day}) d "
            f"LEFT JOIN (SELECT p.challenge_id, {pass_day} AS day, COUNT(*) AS n FROM ({progress}) p "
            f"WHERE p.first_pass_at IS NOT NULL GROUP BY p.challenge_id, {pass_day}) f "
            "ON f.challenge_id = d.challenge_id AND f.day = d.day"),
        "challenge_day_failures": (
            f"SELECT s.challenge_id, {day} AS day, {failing_name} AS test_name, "
            f"COUNT(*) AS failures FROM submissions s {tests} "
            f"WHERE {COUNTED} AND {is_object} AND COALESCE({outcome}, '') <> 'passed' "
            f"GROUP BY s.challenge_id, {day}, {failing_name}"),
        "challenge_progress": progress,
    }


def _seconds_sql(dialect: str) -> str:
    if dialect == "postgresql":
        return "EXTRACT(EPOCH FROM first_pass_at - first_try_at)"
    return "(julianday(first_pass_at) - julianday(first_try_at)) * 86400.0"


COLUMNS = {
    "challenge_day_stats": "challenge_id, day, attempts, passed, first_passes",
    "challenge_day_failures": "challenge_id, day, test_name, failures",
    "challenge_progress": "challenge_id, user_id, first_try_at, first_pass_at",
}


def rebuild(connection: Connection) -> dict[str, int]:
    """Replace the statistics with a full recount, in the caller's transaction; returns
    the rows written per table.  On PostgreSQL the tables are locked first: a result
    stored meanwhile waits, and then adds itself to the recount (its submission was not
    yet committed when the recount read).  On SQLite it holds the one write lock, so
    workers wait (up to busy_timeout) while it runs."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(text(f"LOCK TABLE {', '.join(TABLES)} IN EXCLUSIVE MODE"))
    written = {}
    for table, query in recount_sql(dialect).items():
        connection.execute(text(f"DELETE FROM {table}"))
        written[table] = connection.execute(
            text(f"INSERT INTO {table} ({COLUMNS[table]}) {query}")).rowcount
    connection.execute(text(f"UPDATE challenge_progress SET solve_seconds = {_seconds_sql(dialect)} "
                            "WHERE first_pass_at IS NOT NULL"))
    return written


def tidy(engine: Engine) -> None:
    """After a rebuild on PostgreSQL: VACUUM ANALYZE the statistics tables, outside any
    transaction.  The medians read the progress index without visiting the table only on
    pages VACUUM has marked all-visible (measured at 1M submissions: 80 ms before, 9 ms
    after); autovacuum keeps them so later, as it does after any large insert."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"VACUUM ANALYZE {', '.join(TABLES)}"))


def _stored(connection: Connection, table: str) -> dict[tuple, tuple]:
    key_width = 2 if table != "challenge_day_failures" else 3
    rows = connection.execute(text(f"SELECT {COLUMNS[table]} FROM {table}")).all()
    found = {}
    for row in rows:
        key, value = tuple(str(v) for v in row[:key_width]), tuple(row[key_width:])
        if table != "challenge_progress" and not any(value):
            continue  # a day or test counted down to nothing is the same as no row
        found[key] = value
    return found


def check(connection: Connection) -> list[str]:
    """Differences between the statistics tables and a full recount; [] when they agree.
    Also checks each stored solve time against its two times."""
    problems = []
    for table, query in recount_sql(connection.dialect.name).items():
        key_width = 2 if table != "challenge_day_failures" else 3
        expected = {tuple(str(v) for v in row[:key_width]): tuple(row[key_width:])
                    for row in connection.execute(text(query))}
        stored = _stored(connection, table)
        for key in sorted(set(expected) | set(stored)):
            # Times compare as the driver returns them: datetimes on PostgreSQL, on
            # SQLite the stored text, which SQLAlchemy always writes in one shape.
            want, have = expected.get(key), stored.get(key)
            if want != have:
                problems.append(f"{table} {'/'.join(key)}: stored {have}, recount {want}")
    wrong = connection.execute(text(
        "SELECT challenge_id, user_id, solve_seconds, "
        f"{_seconds_sql(connection.dialect.name)} AS recount FROM challenge_progress "
        "WHERE (solve_seconds IS NULL) <> (first_pass_at IS NULL) "
        f"OR ABS(solve_seconds - {_seconds_sql(connection.dialect.name)}) > 0.001")).all()
    problems += [f"challenge_progress {c}/{u}: solve_seconds {s}, from its times {r}"
                 for c, u, s, r in wrong]
    return problems


"""The Submit statistics (lab/stats/counting.py) stay equal to a full recount through stores,
regrades, ORM edits and deletions, also with two workers storing at once; the dashboard's
time and pack filters; the backfill of a history stored before the tables existed.
Runs on PostgreSQL too with LAB_TEST_DATABASE_URL."""

from __future__ import annotations

import random
import re
import statistics
import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import insert, select, text

from lab.extensions import db
from lab.models import Challenge, Pack, Submission, utcnow
from lab.stats.query import challenge_stats
from lab.stats.repair import TABLES, check, rebuild
from tests.helpers import make_user
from worker.core.result import Result
from worker.core.result import TestResult as Case

TESTS = ("test_a", "test_b", "test_c")


def result(verdict: str, failing=()) -> Result:
    return Result(verdict=verdict, tests=[
        Case(name=name, outcome="failed" if name in failing else "passed", message="",
                   duration=0.1, visibility="hidden") for name in TESTS])


def reference(challenge_ids: list[int], since=None) -> dict[int, dict]:
    """The dashboard's figures the way it computed them before the statistics tables:
    every finished Submit and its result JSON read into Python."""
    query = (select(Submission.challenge_id, Submission.user_id, Submission.verdict,
                    Submission.created_at, Submission.result)
             .where(Submission.mode == "submit", Submission.status == "done",
                    Submission.challenge_id.in_(challenge_ids)).order_by(Submission.created_at))
    stats, first_try, solved, failing = {}, {}, {}, {}
    for challenge_id, user_id, verdict, created, document in db.session.execute(query):
        first_try.setdefault((challenge_id, user_id), created)
        if verdict == "passed":
            solved.setdefault((challenge_id, user_id), created)
        if since is not None and created.date() < since:
            continue
        entry = stats.setdefault(challenge_id, {"attempts": 0, "passed": 0})
        entry["attempts"] += 1
        entry["passed"] += verdict == "passed"
        for test in (document or {}).get("tests", []):
            if test.get("outcome") != "passed":
                failing.setdefault(challenge_id, Counter())[test.get("name", "?")] += 1
    for challenge_id, entry in stats.items():
        times = [(at - first_try[key]).total_seconds() / 60 for key, at in solved.items()
                 if key[0] == challenge_id and (since is None or at.date() >= since)]
        entry["pass_rate"] = round(100 * entry["passed"] / entry["attempts"])
        entry["median_minutes"] = round(statistics.median(times), 1) if times else None
        counts = failing.get(challenge_id, Counter())
        top = min(counts.items(), key=lambda kv: (-kv[1], kv[0])) if counts else None
        entry["top_failing"] = f"{top[0]} ({top[1]}x)" if top else ""
    return stats


def assert_agrees(app, challenge_ids: list[int]) -> None:
    with app.app_context():
        assert check(db.session.connection()) == []
        assert challenge_stats(challenge_ids) == reference(challenge_ids)
        db.session.remove()


@pytest.fixture
def world(app):
    """Four candidates and two challenges of the examples pack."""
    users = [make_user(app, f"s{i}@example.com") for i in range(4)]
    with app.app_context():
        challenges = db.session.scalars(select(Challenge.id).join(Pack).where(
            Pack.name == "examples").order_by(Challenge.id).limit(2)).all()
    return users, list(challenges)


def add_queued(app, user_id: int, challenge_id: int, at=None, mode: str = "submit") -> int:
    with app.app_context():
        row = Submission(user_id=user_id, challenge_id=challenge_id, mode=mode, files={},
                         created_at=at or utcnow())
        db.session.add(row)
        db.session.commit()
        return row.id


def grade(app, submission_id: int, outcome: Result) -> None:
    """What the worker does: claim, then store the result (worker/jobs/tasks.py)."""
    from worker.jobs.tasks import _claim, _store

    with app.app_context():
        token = _claim(submission_id, 600)
        assert token is not None
        assert _store(submission_id, token, outcome)
        db.session.remove()


def test_mixed_sequence_equals_recount(app, world):
    from worker.jobs.tasks import reopen_for_regrade

    users, challenges = world
    rng = random.Random(17)
    t0 = utcnow() - timedelta(days=3)
    made = []
    for step in range(40):
        user, challenge = rng.choice(users), rng.choice(challenges)
        mode = "run" if step % 7 == 3 else "submit"
        sid = add_queued(app, user, challenge, t0 + timedelta(minutes=step * 13), mode)
        verdict = rng.choice(["passed", "failed", "failed", "infra_error"])
        failing = () if verdict == "passed" else tuple(rng.sample(TESTS, rng.randint(1, 2)))
        if step % 5 != 4:  # some stay queued
            grade(app, sid, result(verdict, failing))
        made.append(sid)
    assert_agrees(app, challenges)
    with app.app_context():
        infra = db.session.scalars(select(Submission.id).where(
            Submission.verdict == "infra_error")).all()
        assert infra
        for sid in infra:
            assert reopen_for_regrade(sid)
        db.session.remove()
    assert_agrees(app, challenges)
    for sid in infra[::2]:  # half of the regrades come back passed, half failed
        grade(app, sid, result("passed") if sid % 2 else result("failed", ("test_c",)))
    with app.app_context():
        # ORM edits and deletions: a verdict changed by hand, an earliest try deleted
        edited = db.session.get(Submission, made[1])
        edited.status, edited.verdict = "done", "passed"
        edited.result = result("passed").to_dict()
        first = db.session.scalars(select(Submission).where(
            Submission.status == "done", Submission.mode == "submit")
            .order_by(Submission.created_at)).first()
        db.session.delete(first)
        db.session.delete(db.session.get(Submission, made[-1]))
        db.session.commit()
        # set on an expired object: the ORM knows no old value, the database does
        expired = db.session.scalars(select(Submission).where(
            Submission.status == "done", Submission.verdict == "passed")).first()
        db.session.commit()
        expired.verdict = "failed"
        db.session.commit()
        db.session.remove()
    assert_agrees(app, challenges)


def test_two_workers_store_at_once(app, world):
    """Two threads store results of the same candidates and challenges at the same time
    (each its own session and connection); nothing is lost or counted twice."""
    from worker.jobs.tasks import _claim, _store

    users, challenges = world
    t0 = utcnow() - timedelta(hours=5)
    ids = [add_queued(app, users[i % 2], challenges[i % 2], t0 + timedelta(minutes=i))
           for i in range(60)]
    tokens = {}
    with app.app_context():
        for sid in ids:
            tokens[sid] = _claim(sid, 600)
        db.session.remove()
    start = threading.Barrier(2)
    errors = []

    def worker(mine: list[int]) -> None:
        try:
            with app.app_context():
                start.wait()
                for sid in mine:
                    outcome = result("passed") if sid % 3 == 0 else result("failed", ("test_b",))
                    assert _store(sid, tokens[sid], outcome)
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(ids[k::2],)) for k in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert_agrees(app, challenges)
    with app.app_context():
        assert sum(s["attempts"] for s in challenge_stats(challenges).values()) == 60


def test_time_and_pack_filters(app, world, instructor_client):
    users, challenges = world
    now = utcnow()
    for days_ago, verdict in ((0, "passed"), (2, "failed"), (10, "failed"), (10, "passed"),
                              (45, "failed")):
        sid = add_queued(app, users[0] if days_ago != 10 else users[1], challenges[0],
                         now - timedelta(days=days_ago, minutes=1))
        grade(app, sid, result(verdict, () if verdict == "passed" else ("test_a",)))
    with app.app_context():
        from lab.stats.counting import window_start

        for days, attempts in ((None, 5), (30, 4), (7, 2)):
            since = window_start(days)
            got = challenge_stats(challenges, since)
            assert got == reference(challenges, since)
            assert got[challenges[0]]["attempts"] == attempts
        db.session.remove()
    page = instructor_client.get("/instructor/?days=7")
    assert page.status_code == 200 and '<option value="7" selected>' in page.text
    with app.app_context():
        public_id = db.session.get(Challenge, challenges[0]).public_id
    row = page.text.split(f"<tr><td>{public_id}</td>")[1].split("</tr>")[0]
    assert "<td>2</td>" in row and "<td>50 %</td>" in row and "test_a (1x)" in row
    only = instructor_client.get("/instructor/?pack=examples").text
    assert "examples/retry-decorator" in only and "python-core/" not in only
    assert "python-core/" in instructor_client.get("/instructor/").text


def test_backfill_of_an_existing_history(app, world, monkeypatch):
    """Rows written behind the ORM's back (as an old lab stored them) are counted by
    `lab db stats-rebuild`; `lab db stats-check` finds the gap before and none after."""
    from click.testing import CliRunner

    from lab.cli import admin as cli_admin

    users, challenges = world
    t0 = utcnow() - timedelta(days=20)
    rows = [{"user_id": users[i % 4], "challenge_id": challenges[i % 2], "mode": "submit",
             "files": {}, "status": "done", "verdict": "passed" if i % 3 == 0 else "failed",
             "result": result("failed", ("test_c",)).to_dict(), "created_at": t0 + timedelta(hours=i)}
            for i in range(30)]
    with app.app_context():
        db.session.execute(insert(Submission), rows)
        db.session.commit()
        db.session.remove()
    monkeypatch.setattr(cli_admin, "_app", lambda: app)
    monkeypatch.setattr(cli_admin, "upgrade_database", lambda _app: None)
    runner = CliRunner()
    before = runner.invoke(cli_admin.db, ["stats-check"])
    assert before.exit_code == 1 and "challenge_day_stats" in before.output
    built = runner.invoke(cli_admin.db, ["stats-rebuild"])
    assert built.exit_code == 0, built.output
    after = runner.invoke(cli_admin.db, ["stats-check"])
    assert after.exit_code == 0, after.output
    assert_agrees(app, challenges)
    with app.app_context():
        # rebuilding twice writes the same rows
        counts = {t: db.session.scalar(text(f"SELECT COUNT(*) FROM {t}")) for t in TABLES}
        rebuild(db.session.connection())
        db.session.commit()
        assert counts == {t: db.session.scalar(text(f"SELECT COUNT(*) FROM {t}")) for t in TABLES}



def _stats_rows(page_text: str) -> list[str]:
    """The challenges of the statistics table, in the order shown."""
    table = page_text.split('id="stats"')[1]
    return re.findall(r"<tr><td>([\w-]+/[\w-]+)</td>", table)


def test_stats_sort_by_any_column_and_filter_by_kind(app, world, instructor_client):
    users, challenges = world
    # challenges[0]: 3 Submits, 1 passed (33 %); challenges[1]: 1 Submit, passed (100 %).
    for user, challenge_id, verdict in ((users[0], challenges[0], "failed"),
                                        (users[0], challenges[0], "passed"),
                                        (users[1], challenges[0], "failed"),
                                        (users[2], challenges[1], "passed")):
        grade(app, add_queued(app, user, challenge_id),
              result(verdict, () if verdict == "passed" else ("test_a",)))
    with app.app_context():
        first, second = (db.session.get(Challenge, c).public_id for c in challenges)
        db.session.remove()

    by_submits = _stats_rows(instructor_client.get("/instructor/?sort=submits&order=desc").text)
    assert by_submits[:2] == [first, second]
    by_rate = _stats_rows(instructor_client.get("/instructor/?sort=pass_rate").text)
    assert by_rate[:2] == [first, second]  # 33 % then 100 %; those without Submits after
    assert len(by_rate) > 2
    by_rate_desc = instructor_client.get("/instructor/?sort=pass_rate&order=desc").text
    assert _stats_rows(by_rate_desc)[:2] == [second, first]
    assert 'aria-sort="descending"' in by_rate_desc and "Pass rate ▼" in by_rate_desc
    # The heading's link reverses the order; the filters stay on it.
    filtered = instructor_client.get("/instructor/?pack=examples&kind=python&sort=submits").text
    rows = _stats_rows(filtered)
    assert rows and all(r.startswith("examples/") for r in rows)
    assert "sort=submits&amp;order=desc" in filtered and "kind=python" in filtered
    quiz_only = _stats_rows(instructor_client.get("/instructor/?kind=quiz").text)
    assert quiz_only and all("quiz" in r for r in quiz_only)

    # Anything else is ignored, not an error: the default order, every kind.
    everything = _stats_rows(instructor_client.get("/instructor/").text)
    for query in ("sort=__class__&order=sideways", "kind=%3Cscript%3E", "sort=&kind=",
                  "sort=pass_rate%00&days=-1"):
        page = instructor_client.get(f"/instructor/?{query}")
        assert page.status_code == 200, query
        assert _stats_rows(page.text) == everything, query
        assert "<script>" not in page.text.split('id="stats"')[1]

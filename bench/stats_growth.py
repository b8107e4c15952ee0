"""Growth benchmark: how the signed-in pages behave as the submission history grows.

Seeds one database up to each size in turn (default 10k, 100k, 1M submissions): the
bundled packs, ~2000 candidates and one instructor, submissions spread over 90 days with
result JSON holding each challenge's tests (a few failing in failed ones).  Rows go in by
executemany (SQLite) or COPY (PostgreSQL), not through the ORM; the statistics tables,
when this checkout has them, are then filled by the backfill (`lab db stats-rebuild`).
After each size it times, through the Flask test client in this process (no gunicorn, no
network), 7 requests of each page after one warm-up: the instructor dashboard (all time,
30 and 7 days), the profile, a challenge history, the catalog and the API's challenge
list.  Prints median and p95 (nearest rank: of 7, the slowest) in ms, and appends JSON
lines to --out.

    PYTHONPATH=. python bench/stats_growth.py --db sqlite
    PYTHONPATH=. python bench/stats_growth.py --db postgresql --url postgresql+psycopg://...
Run with PYTHONPATH pointing at an older checkout to time the code before a change (the
statistics tables are then simply absent).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

from benchutil import REPO, load_average, nearest_rank

CANDIDATES = 2000
DAYS = 90
CHUNK = 50_000
COLUMNS = ("user_id", "challenge_id", "mode", "files", "status", "verdict", "score", "max_score",
           "result", "attempts", "results_stored", "created_at", "started_at", "finished_at")
FILES = json.dumps({"solution.py": "def solve(values):\n" + "    return sorted(values)\n" * 6})


def make_app(kind: str, url: str, folder: Path):
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from lab.app import create_app
    from worker.core.config import Settings

    if kind == "postgresql":
        admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        name = make_url(url).database
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    else:
        shutil.rmtree(folder, ignore_errors=True)
        url = ""
    settings = Settings(instance_path=folder, database_url=url, redis_url="redis://127.0.0.1:1/0",
                        ratelimit_storage="memory://", cache_path=REPO / "instance" / "cache")
    return create_app(settings, TESTING=True), settings


def seed_base(app, settings) -> dict:
    """Schema, bundled packs, people; returns what the generator needs."""
    from sqlalchemy import insert, select
    from werkzeug.security import generate_password_hash

    from lab.extensions import db
    from lab.models import Challenge, User
    from lab.packs.importer import load_bundled

    with app.app_context():
        db.create_all()
        load_bundled(REPO / "challenges", settings)
        digest = generate_password_hash("bench password 1")
        db.session.execute(insert(User), [{"email": "teach@bench.test", "password_hash": digest,
                                           "role": "instructor"}] + [
            {"email": f"c{i}@bench.test", "password_hash": digest, "role": "candidate"}
            for i in range(CANDIDATES)])
        db.session.commit()
        challenges = [(c.id, [f"test_{c.slug.replace('-', '_')}_{k}" for k in range(5)])
                      for c in db.session.scalars(select(Challenge))]
        users = db.session.execute(select(User.id, User.role).order_by(User.id)).all()
        db.session.remove()
    return {"challenges": challenges, "candidates": [u for u, r in users if r == "candidate"],
            "instructor": next(u for u, r in users if r == "instructor")}


def rows(world: dict, count: int, rng: random.Random, now):
    """`count` submissions: a Run in four, a third of Submits passing, over DAYS days."""
    for _ in range(count):
        challenge_id, names = rng.choice(world["challenges"])
        user_id = rng.choice(world["candidates"])
        created = now - timedelta(seconds=rng.uniform(120, DAYS * 86400))
        mode = "run" if rng.random() < 0.25 else "submit"
        passed = rng.random() < 0.33
        failing = () if passed else rng.sample(names, rng.randint(1, 2))
        tests = [{"name": n, "outcome": "failed" if n in failing else "passed",
                  "message": "assert 2 == 3" if n in failing else "", "duration": 0.01,
                  "visibility": "hidden", "id": f"tests/hidden/test_it.py::{n}", "points": 1,
                  "intent": ""} for n in names]
        result = json.dumps({"verdict": "passed" if passed else "failed", "score": 5 - len(failing),
                             "max_score": 5, "tests": tests, "stdout": "", "duration": 0.4,
                             "limits": {}, "message": "", "mode": mode, "stdout_withheld": False})
        done = created + timedelta(seconds=3)
        yield (user_id, challenge_id, mode, FILES, "done", "passed" if passed else "failed",
               5 - len(failing), 5, result, 1, 1, created, created, done)


def insert_rows(app, kind: str, batch: list[tuple]) -> None:
    from lab.extensions import db

    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            if kind == "postgresql":
                with cursor.copy(f"COPY submissions ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
            else:  # SQLAlchemy's own text form of a datetime, so comparisons hold
                shaped = [r[:11] + tuple(t.strftime("%Y-%m-%d %H:%M:%S.%f") for t in r[11:])
                          for r in batch]
                cursor.executemany(f"INSERT INTO submissions ({', '.join(COLUMNS)}) VALUES "
                                   f"({', '.join('?' * len(COLUMNS))})", shaped)
            raw.commit()
        finally:
            raw.close()


def after_seed(app, kind: str) -> dict:
    """The statistics backfill if this checkout has it; then VACUUM ANALYZE on PostgreSQL
    (as autovacuum would after a large insert)."""
    from sqlalchemy import text

    from lab.extensions import db

    timings = {}
    with app.app_context():
        try:
            from lab.stats.repair import rebuild
        except ImportError:
            rebuild = None
        if rebuild is not None:  # what `lab db stats-rebuild` does (its VACUUM comes below)
            started = time.perf_counter()
            rebuild(db.session.connection())
            db.session.commit()
            timings["stats_rebuild_s"] = round(time.perf_counter() - started, 2)
        if kind == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        db.session.remove()
    return timings


def pages(app, world: dict) -> dict[str, str]:
    from sqlalchemy import func, select

    from lab.extensions import db
    from lab.models import Challenge, Submission

    user = world["candidates"][0]
    with app.app_context():
        busiest = db.session.execute(
            select(Submission.challenge_id, func.count()).where(Submission.user_id == user)
            .group_by(Submission.challenge_id).order_by(func.count().desc()).limit(1)).first()
        challenge = (db.session.get(Challenge, busiest[0]) if busiest
                     else db.session.scalars(select(Challenge)).first())
        history = f"/challenges/{challenge.pack.name}/{challenge.slug}/history"
        mine = db.session.scalar(select(func.count()).where(Submission.user_id == user))
        db.session.remove()
    world["candidate_submissions"] = mine
    return {"dashboard all": "/instructor/", "dashboard 30d": "/instructor/?days=30",
            "dashboard 7d": "/instructor/?days=7", "profile": "/profile", "history": history,
            "catalog": "/challenges", "api list": "/api/v1/challenges"}


def signed_in(app, user_id: int):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    return client


def time_pages(app, world: dict, repeat: int, skip_dashboard: bool) -> dict[str, dict]:
    found = {}
    teacher, candidate = signed_in(app, world["instructor"]), signed_in(app, world["candidates"][0])
    for name, path in pages(app, world).items():
        if skip_dashboard and name.startswith("dashboard"):
            continue
        client = teacher if name.startswith("dashboard") else candidate
        samples = []
        for attempt in range(repeat + 1):
            started = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (path, response.status_code)
            if attempt:  # the first one warms caches
                samples.append(elapsed)
        samples.sort()
        found[name] = {"median_ms": round(statistics.median(samples), 1),
                       "p95_ms": round(nearest_rank(samples, 95), 1)}
        print(f"  {name:14} median {found[name]['median_ms']:9.1f} ms   p95 "
              f"{found[name]['p95_ms']:9.1f} ms", flush=True)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--url", default="", help="PostgreSQL URL of a database to (re)create")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--label", default="after", help="'before' or 'after', for the record")
    parser.add_argument("--dashboard-until", type=int, default=0,
                        help="time the dashboard only up to this size (0: always)")
    parser.add_argument("--folder", default="/tmp/stats_growth")
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "stats_growth.jsonl"))
    args = parser.parse_args()
    import lab

    folder = Path(args.folder) / f"{args.db}-{args.label}"
    app, settings = make_app(args.db, args.url, folder)
    started = time.perf_counter()
    world = seed_base(app, settings)
    print(f"{args.label} ({Path(lab.__file__).parent.parent}) on {args.db}: base seeded in "
          f"{time.perf_counter() - started:.1f} s", flush=True)
    rng, now, have = random.Random(17), None, 0
    from lab.models import utcnow

    now = utcnow()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    for size in (int(s) for s in args.sizes.split(",")):
        started = time.perf_counter()
        while have < size:
            batch = list(rows(world, min(CHUNK, size - have), rng, now))
            insert_rows(app, args.db, batch)
            have += len(batch)
        seeded = round(time.perf_counter() - started, 1)
        extra = after_seed(app, args.db)
        print(f"{size} submissions: seeded in {seeded} s {extra}", flush=True)
        skip = bool(args.dashboard_until) and size > args.dashboard_until
        found = time_pages(app, world, args.repeat, skip)
        with open(args.out, "a") as out:
            out.write(json.dumps({"label": args.label, "db": args.db, "submissions": size,
                                  "seed_s": seeded, **extra, "pages": found,
                                  "candidate_submissions": world["candidate_submissions"],
                                  "load": load_average()}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""App fixtures: a fresh instance folder and database per test, bundled packs loaded."""

from __future__ import annotations

import functools
import os
import shutil

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from lab.app import create_app
from lab.extensions import db
from lab.packs.importer import load_bundled
from tests.helpers import EXTERNAL_DB, ROOT, login, make_user
from worker.core.config import Limits, Settings
from worker.core.queues import GRADE_TASK, VERIFY_UPLOAD_TASK

# Predict-the-output keys are computed in the sandbox once per snippet and cached here.
CACHE = ROOT / "instance" / "cache"
# LAB_TEST_PACKS=examples,... limits the bundled packs loaded (while authoring); default all.
# On PostgreSQL the seeded schema is a database of its own, copied as a template.
SEED_DATABASE = f"{make_url(EXTERNAL_DB).database}_seed" if EXTERNAL_DB else ""
ONLY_PACKS = set(os.environ["LAB_TEST_PACKS"].split(",")) if os.environ.get("LAB_TEST_PACKS") else None


def _settings(instance_path, database_url: str = EXTERNAL_DB) -> Settings:
    # Rate-limit counters in memory: fresh for each test's app, no Redis needed.  Nothing
    # grades here, so submissions stay queued: the in-flight caps are off except in the
    # tests of them (test_fair_share.py).
    return Settings(instance_path=instance_path, cache_path=CACHE,
                    redis_url="redis://127.0.0.1:1/0", database_url=database_url,
                    limits=Limits(wall_seconds=5, cpu_seconds=3), ratelimit_storage="memory://",
                    runs_in_flight=0, submits_in_flight=0)


@functools.cache
def _admin_engine():
    """AUTOCOMMIT engine on the server's maintenance database, one per session."""
    return create_engine(make_url(EXTERNAL_DB).set(database="postgres"), isolation_level="AUTOCOMMIT")


def _recreate_database(name: str, template: str | None = None) -> None:
    """DROP (whoever is connected) and CREATE the PostgreSQL database `name`."""
    with _admin_engine().connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))


@pytest.fixture(scope="session")
def seeded_database(tmp_path_factory):
    """The schema with the bundled packs loaded, built once per session (loading them
    is most of a test's set-up); every test starts from a copy of it: a file copy on
    SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL."""
    folder = tmp_path_factory.mktemp("seed") / "instance"
    url = ""
    if EXTERNAL_DB:
        _recreate_database(SEED_DATABASE)
        url = make_url(EXTERNAL_DB).set(database=SEED_DATABASE).render_as_string(hide_password=False)
    settings = _settings(folder, url)
    application = create_app(settings, TESTING=True)
    with application.app_context():
        db.create_all()
        load_bundled(ROOT / "challenges", settings, ONLY_PACKS)
        db.session.remove()
        db.engine.dispose()
    return folder / "lab.db"


@pytest.fixture
def app(tmp_path, monkeypatch, seeded_database):
    instance = tmp_path / "instance"
    instance.mkdir()
    if EXTERNAL_DB:
        _recreate_database(make_url(EXTERNAL_DB).database, template=SEED_DATABASE)
    else:
        shutil.copyfile(seeded_database, instance / "lab.db")
    # Nothing reaches a broker in these tests: enqueueing is replaced per test where needed.
    application = create_app(_settings(instance), TESTING=True)
    # Jobs are recorded where the web sends them by name, whoever sends them: gradings
    # (submission ids) in `enqueued`, pack verifications (upload ids) in `uploads_queued`.
    enqueued: list[int] = []
    uploads_queued: list[int] = []

    def send_task(name, args=None, **kwargs):
        {GRADE_TASK: enqueued, VERIFY_UPLOAD_TASK: uploads_queued}[name].append(args[0])

    monkeypatch.setattr(application.extensions["celery"], "send_task", send_task)
    application.enqueued = enqueued
    application.uploads_queued = uploads_queued
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def candidate(app):
    make_user(app, "cand@example.com")
    client = app.test_client()
    client.csrf = login(client, "cand@example.com")
    return client


@pytest.fixture
def instructor_client(app):
    make_user(app, "teach@example.com", "instructor")
    client = app.test_client()
    client.csrf = login(client, "teach@example.com")
    return client


@pytest.fixture
def token(app):
    from sqlalchemy import select

    from lab.models import User

    make_user(app, "api@example.com")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "api@example.com"))
        value = user.new_api_token()
        db.session.commit()
    return value

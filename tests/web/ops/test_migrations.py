"""The Alembic migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from lab.app import create_app
from lab.cli.admin import upgrade_database
from lab.extensions import db
from tests.helpers import EXTERNAL_DB
from worker.core.config import Settings


def test_upgrade_from_empty_matches_models(tmp_path):
    app = create_app(Settings(instance_path=tmp_path / "instance", database_url=EXTERNAL_DB,
                              redis_url="redis://127.0.0.1:1/0"))
    with app.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
    upgrade_database(app)
    upgrade_database(app)  # a second run changes nothing and does not fail
    with app.app_context(), db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert diff == []
        db.session.remove()
        db.engine.dispose()


def test_statistics_migration_counts_the_existing_history(tmp_path):
    """A database with submissions from before the statistics tables: the migration that
    creates them fills them, equal to a full recount."""
    from datetime import datetime, timedelta

    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from lab.app import MIGRATIONS
    from lab.models import Challenge, Submission, User
    from lab.packs.importer import load_bundled
    from lab.stats.query import challenge_stats
    from lab.stats.repair import check
    from tests.helpers import ROOT

    settings = Settings(instance_path=tmp_path / "instance", database_url=EXTERNAL_DB,
                        redis_url="redis://127.0.0.1:1/0")
    app = create_app(settings)
    with app.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        upgrade(directory=str(MIGRATIONS), revision="7c3e1a9d5b20")
        load_bundled(ROOT / "challenges", settings, {"examples"})
        db.session.add(User(email="old@example.com", password_hash="x"))
        db.session.commit()
        user_id = db.session.scalar(select(User.id))
        challenge_id = db.session.scalar(select(Challenge.id).order_by(Challenge.id))
        t0 = datetime(2026, 1, 5, 10, 0)
        tests = [{"name": "test_x", "outcome": "failed"}, {"name": "test_y", "outcome": "passed"}]
        db.session.execute(insert(Submission), [
            {"user_id": user_id, "challenge_id": challenge_id, "mode": "submit", "files": {},
             "status": "done", "verdict": verdict, "result": {"tests": tests},
             "created_at": t0 + timedelta(minutes=minutes)}
            for minutes, verdict in ((0, "failed"), (12, "failed"), (30, "passed"))])
        db.session.commit()
        upgrade(directory=str(MIGRATIONS))
        assert check(db.session.connection()) == []
        assert challenge_stats([challenge_id]) == {challenge_id: {
            "attempts": 3, "passed": 1, "pass_rate": 33, "median_minutes": 30.0,
            "top_failing": "test_x (3x)"}}
        db.session.remove()
        db.engine.dispose()

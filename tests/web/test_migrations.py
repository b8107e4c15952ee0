"""The Alembic migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from lab.app import create_app
from lab.cli_admin import upgrade_database
from lab.config import Settings
from lab.extensions import db
from tests.web.conftest import EXTERNAL_DB


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

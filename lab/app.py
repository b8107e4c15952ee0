"""The application factory."""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import Flask, current_app, jsonify, render_template, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from lab.config import Settings, database_url, load_settings
from lab.extensions import csrf, db, login_manager, migrate

MIGRATIONS = Path(__file__).parent / "migrations"


def _instance_secret(instance: Path) -> str:
    """A secret key generated once per installation, so sessions survive restarts."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Web and worker processes share one SQLite file: WAL lets readers run during a
    # write, busy_timeout makes writers wait instead of failing.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def too_large_message() -> str:
    """What a 413 raised by Werkzeug while reading the body says: which cap, how big."""
    cap = request.max_content_length
    length = request.content_length
    if cap is not None and (length is None or length > cap):
        size = f" ({_kib(length)} KiB)" if length is not None else ""
        setting = " set by LAB_MAX_REQUEST_KB" if cap == current_app.config.get("MAX_CONTENT_LENGTH") else ""
        return f"The request body{size} is over the {_kib(cap)} KiB cap{setting}."
    form_cap = request.max_form_memory_size
    if form_cap is not None:
        return f"A form field is over the {_kib(form_cap)} KiB a form field may hold in memory."
    return "The request body is too large."


def _kib(size: int) -> str:
    return f"{size / 1024:.1f}" if size % 1024 else str(size // 1024)


def create_app(settings: Settings | None = None, **config) -> Flask:
    settings = settings or load_settings()
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    app = Flask(__name__, instance_path=str(settings.instance_path))
    app.config.update(
        SECRET_KEY=settings.secret_key or _instance_secret(settings.instance_path),
        SQLALCHEMY_DATABASE_URI=database_url(settings),
        MAX_CONTENT_LENGTH=settings.max_request_kb * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
        LAB_SETTINGS=settings,
    )
    app.config.update(config)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    csrf.init_app(app)

    from lab import models  # noqa: F401  (tables known to SQLAlchemy and Alembic)
    from lab.api import api
    from lab.auth import auth
    from lab.catalog import catalog
    from lab.health import health
    from lab.instructor import instructor
    from lab.interview_api import interview_api
    from lab.interview_views import interview_pages
    from lab.metrics import metrics
    from lab.profile import profile
    from lab.submissions import submissions
    from lab.templating import register_filters

    for blueprint in (auth, catalog, submissions, profile, instructor, api, interview_api,
                      interview_pages, health, metrics):
        app.register_blueprint(blueprint)
    csrf.exempt(api)  # the API checks CSRF itself for session-authenticated writes
    csrf.exempt(interview_api)
    register_filters(app)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        message = exc.description
        if isinstance(exc, RequestEntityTooLarge) and message == RequestEntityTooLarge.description:
            message = too_large_message()  # Werkzeug's own words do not say what the cap is
        if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
            return jsonify(error=message, status=exc.code), exc.code
        return render_template("error.html", error=exc, message=message), exc.code

    from worker.celery_app import celery_init_app

    celery_init_app(app)
    return app

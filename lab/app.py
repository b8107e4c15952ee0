"""The application factory."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app, jsonify, render_template, request, send_from_directory
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from lab.accounts.access import load_user
from lab.accounts.auth import auth
from lab.api import api
from lab.extensions import csrf, db, limiter, login_manager, migrate
from lab.interviews.views import interview_pages
from lab.interviews.watch import watch
from lab.ops.health import health
from lab.ops.metrics import metrics
from lab.packs.views import instructor
from lab.practice.catalog import catalog
from lab.practice.profile import profile
from lab.practice.sandbox_versions import sandbox_versions_line
from lab.ratelimit import in_words, retry_after_seconds
from lab.stats import counting  # noqa: F401  # its mapper events keep the statistics current
from lab.submissions.views import submissions
from lab.task_queue import celery_init_app
from lab.templating import register_filters, wants_json
from worker.core.config import Settings, database_url, load_settings, ratelimit_storage_url

MIGRATIONS = Path(__file__).parent / "migrations"


class DatabaseInt(IntegerConverter):
    """<int:...> bounded by PostgreSQL's INTEGER (the smallest id column the lab uses)."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 - werkzeug's name
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


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


class LabFlask(Flask):
    def process_response(self, response):
        """LAB_COOKIE_SECURE=auto: cookies set in answer to an HTTPS request are Secure,
        so a browser never sends them back over plain HTTP.  Done here, after the
        after_request hooks (Flask-Login's remember cookie) and the session cookie.
        Behind a proxy that ends TLS, a request is HTTPS when the proxy says so: gunicorn
        believes X-Forwarded-Proto from loopback, ProxyFix (LAB_PROXY_HOPS) the trusted hops."""
        response = super().process_response(response)
        if self.config["LAB_SETTINGS"].cookie_secure == "auto" and request.is_secure:
            cookies = response.headers.getlist("Set-Cookie")
            if any("; secure" not in c.lower() for c in cookies):
                response.headers.setlist("Set-Cookie", [
                    c if "; secure" in c.lower() else f"{c}; Secure" for c in cookies])
        return response


def create_app(settings: Settings | None = None, **config) -> Flask:
    settings = settings or load_settings()
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    app = LabFlask(__name__, instance_path=str(settings.instance_path))
    storage = ratelimit_storage_url(settings)
    app.config.update(
        SECRET_KEY=settings.secret_key or _instance_secret(settings.instance_path),
        SQLALCHEMY_DATABASE_URI=database_url(settings),
        MAX_CONTENT_LENGTH=settings.max_request_kb * 1024,
        # A form field may be as large as the whole body: the body cap already bounds the
        # memory, and a too-large file in a Run is then refused by the per-file check, in
        # its words (name, size, limit), not by Werkzeug's 500 KB field default.
        MAX_FORM_MEMORY_SIZE=settings.max_request_kb * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.cookie_secure == "1",
        # Flask-Login's remember-me cookie: a year, no SameSite and never Secure by default.
        REMEMBER_COOKIE_DURATION=timedelta(days=settings.remember_days),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.cookie_secure == "1",
        WTF_CSRF_TIME_LIMIT=None,
        RATELIMIT_STORAGE_URI=storage,
        # A Redis that does not answer must not hold a login for long: Flask-Limiter then
        # counts in memory and asks Redis again later.
        RATELIMIT_STORAGE_OPTIONS={"socket_timeout": 1, "socket_connect_timeout": 1}
        if storage.startswith(("redis", "rediss", "valkey")) else {},
        LAB_SETTINGS=settings,
    )
    app.config.update(config)
    if settings.proxy_hops:
        # Client address (per-address limits) and scheme (Secure cookies) from the
        # X-Forwarded-* headers of this many proxies; never trusted by default.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops,
                                x_proto=settings.proxy_hops, x_host=settings.proxy_hops)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.user_loader(load_user)
    csrf.init_app(app)
    limiter.init_app(app)

    from lab import models  # noqa: F401  (tables known to SQLAlchemy and Alembic)

    # Every <int:...> of a URL is a row id or a small number: one past what a database
    # integer column holds matches no route (404), instead of overflowing in the query.
    app.url_map.converters["int"] = DatabaseInt
    for blueprint in (auth, catalog, submissions, profile, instructor, api, interview_pages,
                      watch, health, metrics):
        app.register_blueprint(blueprint)
    csrf.exempt(api)  # the API checks CSRF itself for session-authenticated writes
    register_filters(app)
    app.jinja_env.globals["sandbox_versions"] = sandbox_versions_line
    # Browsers ask for /favicon.ico whatever the page links: answer it with the icon.
    app.add_url_rule("/favicon.ico", "favicon", lambda: send_from_directory(
        app.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=86400))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        message = exc.description
        if isinstance(exc, RequestEntityTooLarge) and message == RequestEntityTooLarge.description:
            message = too_large_message()  # Werkzeug's own words do not say what the cap is
        # The exception's own headers (Retry-After, WWW-Authenticate), not its content type.
        headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
        retry = retry_after_seconds(exc) if exc.code == 429 else None
        extra = {}
        if retry is not None:
            headers["Retry-After"] = str(retry)
            extra["retry_after"] = retry
            if "try again" not in message.lower():
                message = f"{message} Try again in {in_words(retry)}."
        if isinstance(exc, CSRFError):
            # The editor refreshes its token (GET /session) and retries on this reason.
            extra["reason"] = "csrf"
        if request.path.startswith("/api/") or wants_json():
            return jsonify(error=message, status=exc.code, **extra), exc.code, headers
        return render_template("error.html", error=exc, message=message), exc.code, headers

    celery_init_app(app)
    return app

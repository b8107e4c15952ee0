"""`lab db ...` and `lab users ...`: administration that needs the app and database."""

from __future__ import annotations

import re
import sys

import click

from lab.cli.exits import EXIT_FAILED, EXIT_USAGE, fail


def _app():
    # late: each command loads only what it uses (the web app alone takes ~0.7 s)
    from lab.app import create_app

    return create_app()


def upgrade_database(app) -> None:
    # late: each command loads only what it uses (the web app alone takes ~0.7 s)
    from flask_migrate import upgrade

    # late: each command loads only what it uses (the web app alone takes ~0.7 s)
    from lab.app import MIGRATIONS

    with app.app_context():
        upgrade(directory=str(MIGRATIONS))


@click.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply the schema migrations (safe to repeat)."""
    upgrade_database(_app())
    click.echo("database is up to date")


def echo_pack_error(exc) -> None:
    """A PackError and each of its problems (file, line, field) on standard error."""
    click.echo(f"error: {exc}", err=True)
    for problem in exc.problems:
        click.echo(f"  {problem}", err=True)


def seed_database(app) -> None:
    """Upgrade the schema and load the bundled packs, saying what happened.
    Raises PackError when a bundled pack is broken."""
    # late: each command loads only what it uses (the web app alone takes ~0.7 s)
    from lab.packs.importer import load_bundled
    from lab.packs.problems import BUNDLED_PACKS

    upgrade_database(app)
    with app.app_context():
        for name, created in load_bundled(BUNDLED_PACKS, app.config["LAB_SETTINGS"]):
            click.echo(f"pack {name}: {'loaded' if created else 'present'}")


@db.command("seed")
def db_seed() -> None:
    """Upgrade the schema and load the bundled challenge packs (safe to repeat)."""
    # late: each command loads only what it uses (the web app alone takes ~0.7 s)
    from lab.packs.problems import PackError

    try:
        seed_database(_app())
    except PackError as exc:
        echo_pack_error(exc)
        sys.exit(EXIT_FAILED)


@db.command("stats-rebuild")
def db_stats_rebuild() -> None:
    """Recount the Submit statistics from all stored submissions (backfill, repair)."""
    # late: each command loads only what it uses (the web app alone takes ~0.7 s)
    from lab.extensions import db as database
    from lab.stats.repair import rebuild, tidy

    app = _app()
    upgrade_database(app)
    with app.app_context():
        written = rebuild(database.session.connection())
        database.session.commit()
        tidy(database.engine)
    for table, rows in written.items():
        click.echo(f"{table}: {rows} rows")


@db.command("stats-check")
def db_stats_check() -> None:
    """Compare the Submit statistics with a full recount; exit status 1 on differences."""
    # late: each command loads only what it uses (the web app alone takes ~0.7 s)
    from lab.extensions import db as database
    from lab.stats.repair import check

    app = _app()
    with app.app_context():
        problems = check(database.session.connection())
        database.session.rollback()
    for problem in problems[:200]:
        click.echo(problem)
    if problems:
        click.echo(f"{len(problems)} differences; `lab db stats-rebuild` recounts", err=True)
        sys.exit(EXIT_FAILED)
    click.echo("statistics agree with a full recount")


@click.group()
def users() -> None:
    """Accounts."""


@users.command("create")
@click.argument("email")
@click.option("--password", required=True, help="At least 8 characters.")
@click.option("--role", type=click.Choice(["candidate", "instructor", "admin"]),
              default="candidate", show_default=True)
def users_create(email: str, password: str, role: str) -> None:
    """Create an account."""
    # late: each command loads only what it uses (the web app alone takes ~0.7 s)
    from sqlalchemy import select

    # late: each command loads only what it uses (the web app alone takes ~0.7 s)
    from lab.accounts.access import create_user
    from lab.accounts.auth import EMAIL
    from lab.extensions import db as database
    from lab.models import User

    if not re.match(EMAIL, email.strip()):
        fail(f"{email!r} is not an email address", EXIT_USAGE)
    if len(password) < 8:
        fail("the password needs at least 8 characters", EXIT_USAGE)
    app = _app()
    upgrade_database(app)
    with app.app_context():
        if database.session.scalar(select(User).where(User.email == email.strip().lower())):
            fail(f"an account for {email} exists already", EXIT_FAILED)
        user = create_user(email, password, role)
        click.echo(f"created {user.email} ({user.role})")


@users.command("token")
@click.argument("email")
def users_token(email: str) -> None:
    """Issue a new API token for EMAIL (the previous one stops working); printed last."""
    # late: each command loads only what it uses (the web app alone takes ~0.7 s)
    from sqlalchemy import select

    # late: each command loads only what it uses (the web app alone takes ~0.7 s)
    from lab.extensions import db as database
    from lab.models import User

    app = _app()
    upgrade_database(app)
    with app.app_context():
        user = database.session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            fail(f"no account for {email}", EXIT_FAILED)
        token = user.new_api_token()
        database.session.commit()
        click.echo(f"API token for {user.email} (use: Authorization: Bearer <token>):")
        click.echo(token)

"""Who the request is: the session's user, the user of an API token, an operator, an
instructor.  Answers for every blueprint; the sign-in pages are lab/accounts/auth.py."""

from __future__ import annotations

import functools
import hmac

from flask import abort, current_app, request
from flask_login import current_user, login_required
from sqlalchemy import select

from lab.extensions import db
from lab.models import User, token_digest


def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def user_from_bearer() -> User | None:
    """The user of an `Authorization: Bearer <token>` header, if valid."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    token = header[7:].strip()
    if not token or len(token) > 200:
        return None
    return db.session.scalar(select(User).where(User.api_token_digest == token_digest(token)))


def create_user(email: str, password: str, role: str = "candidate") -> User:
    user = User(email=email.strip().lower(), role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def is_operator() -> bool:
    """Whoever may read the lab's internals (/metrics, the details of /healthz): a
    signed-in admin (browser session or API token), or a request carrying
    LAB_METRICS_TOKEN as `Authorization: Bearer`, for a scraper that has no account."""
    header = request.headers.get("Authorization", "")
    expected = current_app.config["LAB_SETTINGS"].metrics_token
    if expected and header.startswith("Bearer ") and hmac.compare_digest(
            header[7:].strip().encode(), expected.encode()):
        return True
    user = user_from_bearer() if header else None
    if user is None and current_user.is_authenticated:
        user = current_user
    return user is not None and user.role == "admin"


def instructor_required(view):
    @functools.wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_instructor:
            abort(403, "This page is for instructors.")
        return view(*args, **kwargs)

    return wrapped

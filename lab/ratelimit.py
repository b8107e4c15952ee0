"""Abuse limits of the web, on Flask-Limiter: failed logins per email and per client
address, sign-ups per address, and each candidate's rate of Run, Submit and draft saves
(pages and API share one budget per candidate).  The numbers are settings (worker/core/config.py);
0 switches a limit off.  A refused request gets 429 with Retry-After and a message that
says when to try again (lab/app.py renders it).

Counters live in the lab's Redis, so every web process counts together; when Redis does
not answer, Flask-Limiter counts in each process's memory until it does (a limit is then
per process, so at most `LAB_WEB_WORKERS` times looser, never off).

Flask-Limiter's callables here (keys, scopes, limit values) must never raise: it would
take any exception for a storage failure and fall back to memory.
"""

from __future__ import annotations

import math
import time

from flask import Response, current_app, g, request
from flask_limiter import RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from lab.extensions import limiter
from worker.core.config import Settings

MODE_NAMES = {"run": "Runs", "submit": "Submits"}


def _settings() -> Settings:
    return current_app.config["LAB_SETTINGS"]


def _rate(count: int, period: str) -> str:
    # A switched-off limit (0) is exempted by its exempt_when; the string must still parse.
    return f"{max(count, 1)} per {period}"


# ---------------------------------------------------------------- login and sign-up


def login_email() -> str:
    """The email a login form names, as accounts store it, so `Ann@x` and `ann@x ` share
    one count.  Counted whether or not an account has it: the throttle says nothing
    about which emails exist."""
    return (request.form.get("email") or "").strip().lower()[:254] or "(no email)"


def _login_failed(response: Response) -> bool:
    return response.status_code != 302  # a successful login, and only that, redirects


def _login_window() -> str:
    return f"{_settings().login_window_minutes} minutes"


# Every login attempt for an email is counted before its password is checked, so attempts
# sent at once cannot slip past the count; a successful login clears it (forget_failed_logins).
login_per_account = limiter.limit(
    lambda: _rate(_settings().login_failures_per_account, _login_window()),
    key_func=login_email, methods=["POST"], scope="account",
    exempt_when=lambda: not _settings().login_failures_per_account,
    error_message="Too many failed logins for this email.")
# Only failed attempts count against an address (a class behind one NAT logs in from one
# address).  The count is tested before and added after the attempt, so requests sent at
# the same moment can overshoot it by as many as are in flight, once per window.
login_per_address = limiter.limit(
    lambda: _rate(_settings().login_failures_per_address, _login_window()),
    key_func=get_remote_address, methods=["POST"], scope="address", deduct_when=_login_failed,
    exempt_when=lambda: not _settings().login_failures_per_address,
    error_message="Too many failed logins from your network address.")
signup_per_address = limiter.limit(
    lambda: _rate(_settings().signups_per_hour, "hour"),
    key_func=get_remote_address, methods=["POST"], scope="signup",
    exempt_when=lambda: not _settings().signups_per_hour,
    error_message="Too many sign-ups from your network address.")


def forget_failed_logins() -> None:
    """Clear this request's per-email count after a successful login: only someone who
    knows the password can do that.  The per-address count stays."""
    for current in limiter.current_limits:
        if current.request_args and current.request_args[-1].endswith(":account"):
            try:
                limiter.limiter.clear(current.limit, *current.request_args)
            except Exception:  # noqa: BLE001 - storage trouble: the count just expires later
                current_app.logger.warning("could not clear the failed-login count")


# ---------------------------------------------------------------- candidates' work


def user_key() -> str:
    """The signed-in candidate (API token or session); the address if there is none."""
    user = getattr(g, "api_user", None)
    if user is None and current_user.is_authenticated:
        user = current_user
    return f"user:{user.id}" if user is not None else f"address:{get_remote_address()}"


def requested_mode() -> str:
    """"run" or "submit", as the route will read it: pages default to Run, the JSON API
    to Submit, a quiz answer is a Submit; anything unknown counts as a Submit."""
    if "lab_mode" not in g:  # asked several times per request (limit, scope, message)
        g.lab_mode = _read_mode()
    return g.lab_mode


def _read_mode() -> str:
    if request.endpoint == "submissions.answer_quiz":
        return "submit"
    mode: object = "submit"
    try:
        if request.is_json:
            body = request.get_json(silent=True)
            mode = body.get("mode", "submit") if isinstance(body, dict) else "submit"
        else:
            mode = request.form.get("mode", "run")
    except (HTTPException, RecursionError, ValueError):
        # A body over the size cap, nested too deeply, not text: the route answers that.
        mode = "submit"
    return "run" if mode == "run" else "submit"


def _work_count() -> int:
    settings = _settings()
    return settings.runs_per_minute if requested_mode() == "run" else settings.submits_per_minute


def _work_message() -> str:
    return f"Too many {MODE_NAMES[requested_mode()]}: at most {_work_count()} a minute."


# Shared limits: one budget per candidate and mode across the page, the API and interviews.
work_rate = limiter.shared_limit(
    lambda: _rate(_work_count(), "minute"), scope=lambda _endpoint: requested_mode(),
    key_func=user_key, exempt_when=lambda: not _work_count(), error_message=_work_message)
draft_rate = limiter.shared_limit(
    lambda: _rate(_settings().draft_saves_per_minute, "minute"), scope="draft",
    key_func=user_key, exempt_when=lambda: not _settings().draft_saves_per_minute,
    error_message=lambda: f"Too many draft saves: at most {_settings().draft_saves_per_minute} "
                          "a minute.")
# The editor sends its edit timeline about once a second; this leaves room for retries.
TIMELINE_BATCHES_PER_MINUTE = 120
timeline_rate = limiter.shared_limit(
    f"{TIMELINE_BATCHES_PER_MINUTE} per minute", scope="timeline", key_func=user_key,
    error_message=f"Too many timeline batches: at most {TIMELINE_BATCHES_PER_MINUTE} a minute.")


# ---------------------------------------------------------------- the 429 answer


def retry_after_seconds(exc: HTTPException) -> int | None:
    """Seconds until a refused request may succeed: the breached limit's window end, or
    what the raiser put in the exception (werkzeug's TooManyRequests(retry_after=...))."""
    if isinstance(exc, RateLimitExceeded):
        current = limiter.current_limit
        try:
            reset_at = current.reset_at if current is not None else None
        except Exception:  # noqa: BLE001 - storage gone since the check: say a minute
            reset_at = None
        return max(1, math.ceil(reset_at - time.time())) if reset_at else 60
    value = getattr(exc, "retry_after", None)
    return value if isinstance(value, int) else None


def in_words(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{math.ceil(seconds / 60)} minutes"

"""The one blueprint of the JSON API under /api/v1, its authentication, and the body
parsing every write shares.  The routes live by area (lab/api/practice.py,
lab/api/interviews.py); the OpenAPI document that describes them all is
lab/api/openapi.py.

Authentication: a bearer token, or the browser session plus an X-CSRFToken header for
writes (so the site's own scripts can call the API).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TypeVar

from flask import Blueprint, abort, g, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms.validators import ValidationError

from lab.accounts.access import user_from_bearer

api = Blueprint("api", __name__, url_prefix="/api/v1")
PUBLIC_ENDPOINTS = {"api.openapi"}  # answered without authentication
Found = TypeVar("Found")


@api.before_request
def authenticate() -> None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if request.headers.get("Authorization"):
        user = user_from_bearer()
        if user is None:
            abort(401, "The bearer token is missing, malformed or unknown.")
        g.api_user = user
        return None
    if current_user.is_authenticated:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            try:
                validate_csrf(request.headers.get("X-CSRFToken", ""))
            except (ValidationError, CSRFError):
                abort(400, "Session-authenticated writes need a valid X-CSRFToken header.")
        g.api_user = current_user._get_current_object()
        return None
    abort(401, "Authenticate with 'Authorization: Bearer <token>' (see `lab users token`).")


def json_object_body(shape: str) -> dict:
    """The request body as a JSON object, or 400 saying exactly what is wrong with it (the
    byte that is not UTF-8, the parser's message with line and column).  A body over
    MAX_CONTENT_LENGTH is refused with 413 by get_data before anything is parsed."""
    raw = request.get_data(cache=True)
    if raw and not request.is_json:
        abort(400, "Send JSON with Content-Type: application/json.")
    if not raw:
        abort(400, f"The body is empty: send a JSON object {shape}.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        abort(400, f"The body is not UTF-8 (byte {exc.start}).")  # an offset, from 0
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        abort(400, f"The body is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).")
    except RecursionError:
        abort(400, "The body is not valid JSON: nested too deeply.")
    if not isinstance(body, dict):
        abort(400, f"The body must be a JSON object {shape}, not {_json_type(body)}.")
    return body


def named_in_body(body: dict, field: str, find: Callable[[str], Found | None], *,
                  example: str, not_found: str) -> Found:
    """What the body names by a string id in `field`, looked up with `find`: 400 when the
    id is not a string (the message shows `example`), 404 with `not_found` (the id is
    put in for {}) when nothing has that id."""
    wanted = body.get(field)
    if not isinstance(wanted, str):
        abort(400, f"'{field}' must be a string id such as {example!r}.")
    found = find(wanted)
    if found is None:
        abort(404, not_found.format(repr(wanted)))
    return found


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "a string" if isinstance(value, str) else "an array"

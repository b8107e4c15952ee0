import base64
import binascii
import functools
import hashlib
import hmac
import itertools
import json
import time

from flask import Flask, g, jsonify, request

TOKEN_TTL = 300
REALM = "notes"
USERS = {  # username -> (password, scope); a real app stores password hashes
    "alice": ("wonderland", "notes:read notes:write"),
    "bob": ("builder", "notes:read notes:write"),
    "carol": ("readonly", "notes:read"),
    "root": ("toor", "notes:read notes:write notes:admin"),
}


class InvalidToken(Exception):
    """The token is malformed, forged or expired."""


def b64url_encode(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_decode(text):
    if not text or "=" in text:
        raise InvalidToken("bad base64url segment")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidToken("bad base64url segment") from exc


def sign(secret, payload_segment):
    return hmac.new(secret, payload_segment.encode("ascii"), hashlib.sha256).digest()


def make_token(secret, sub, scope, exp):
    """Encode and sign a token for `sub` with a space-separated `scope`, expiring at `exp`."""
    payload = json.dumps({"sub": sub, "scope": scope, "exp": exp}, separators=(",", ":"))
    segment = b64url_encode(payload.encode("utf-8"))
    return f"{segment}.{b64url_encode(sign(secret, segment))}"


def verify_token(secret, token, now):
    """The token's claims as a dict, or InvalidToken. The signature is checked first."""
    parts = token.split(".")
    if len(parts) != 2 or not all(p.isascii() for p in parts):
        raise InvalidToken("a token has two ASCII segments")
    segment, signature = parts
    if not hmac.compare_digest(sign(secret, segment), b64url_decode(signature)):
        raise InvalidToken("bad signature")
    try:
        claims = json.loads(b64url_decode(segment))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidToken("payload is not JSON") from exc
    if not (isinstance(claims, dict)
            and isinstance(claims.get("sub"), str) and claims["sub"]
            and isinstance(claims.get("scope"), str)
            and type(claims.get("exp")) is int):
        raise InvalidToken("payload has the wrong shape")
    if now >= claims["exp"]:
        raise InvalidToken("token expired")
    return claims


def challenge(status, error=None, **params):
    """A 401/403 answer with a Bearer WWW-Authenticate challenge (RFC 6750)."""
    parts = [f'realm="{REALM}"']
    if error:
        parts.append(f'error="{error}"')
    parts += [f'{k}="{v}"' for k, v in params.items()]
    response = jsonify(error=error or "authentication required")
    response.status_code = status
    response.headers["WWW-Authenticate"] = "Bearer " + ", ".join(parts)
    return response


def create_app(secret, clock=None):
    if not isinstance(secret, bytes) or not secret:
        raise ValueError("secret must be non-empty bytes")
    clock = clock or time.time
    app = Flask(__name__)
    notes = {}
    ids = itertools.count(1)

    def requires(scope):
        """Authenticate the bearer token (401), then check `scope` (403)."""
        def decorator(view):
            @functools.wraps(view)
            def wrapper(*args, **kwargs):
                scheme, _, token = request.headers.get("Authorization", "").partition(" ")
                if scheme.lower() != "bearer":
                    return challenge(401)
                try:
                    claims = verify_token(secret, token.strip(), clock())
                except InvalidToken:
                    return challenge(401, "invalid_token")
                scopes = set(claims["scope"].split())
                if scope not in scopes:
                    return challenge(403, "insufficient_scope", scope=scope)
                g.user = claims["sub"]
                g.is_admin = "notes:admin" in scopes
                return view(*args, **kwargs)
            return wrapper
        return decorator

    def visible(note_id):
        """The note when the caller owns it or is an admin; None otherwise (or missing)."""
        note = notes.get(note_id)
        if note is None or (note["owner"] != g.user and not g.is_admin):
            return None
        return note

    @app.post("/token")
    def issue_token():
        data = request.get_json(silent=True)
        data = data if isinstance(data, dict) else {}
        username, password = data.get("username"), data.get("password")
        user = USERS.get(username) if isinstance(username, str) else None
        if user is None or not isinstance(password, str) or not hmac.compare_digest(
                password.encode(), user[0].encode()):
            return jsonify(error="invalid credentials"), 401
        token = make_token(secret, username, user[1], int(clock()) + TOKEN_TTL)
        response = jsonify(access_token=token, token_type="Bearer", expires_in=TOKEN_TTL)
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/notes")
    @requires("notes:read")
    def list_notes():
        return jsonify(items=[n for n in notes.values() if n["owner"] == g.user])

    @app.post("/notes")
    @requires("notes:write")
    def create_note():
        data = request.get_json(silent=True)
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            return jsonify(error="the body must be an object with a string 'text'"), 422
        note = {"id": next(ids), "owner": g.user, "text": data["text"]}
        notes[note["id"]] = note
        return jsonify(note), 201, {"Location": f"/notes/{note['id']}"}

    @app.get("/notes/<int:note_id>")
    @requires("notes:read")
    def get_note(note_id):
        note = visible(note_id)
        if note is None:  # someone else's note looks exactly like a missing one
            return jsonify(error="no such note"), 404
        return jsonify(note)

    @app.delete("/notes/<int:note_id>")
    @requires("notes:write")
    def delete_note(note_id):
        if visible(note_id) is None:
            return jsonify(error="no such note"), 404
        del notes[note_id]
        return "", 204

    return app

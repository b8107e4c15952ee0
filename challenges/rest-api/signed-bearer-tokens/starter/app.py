import base64
import hashlib
import hmac
import json
import time

from flask import Flask, jsonify, request

USERS = {
    "alice": ("wonderland", "notes:read notes:write"),
    "bob": ("builder", "notes:read notes:write"),
    "carol": ("readonly", "notes:read"),
    "root": ("toor", "notes:read notes:write notes:admin"),
}


def make_token(secret, sub, scope, exp):
    """Encode and sign a token (see the prompt for the exact format)."""
    payload = json.dumps({"sub": sub, "scope": scope, "exp": exp})
    return base64.b64encode(payload.encode()).decode()


def create_app(secret, clock=None):
    clock = clock or time.time
    app = Flask(__name__)
    notes = {}

    @app.post("/token")
    def issue_token():
        data = request.get_json()
        user = USERS[data["username"]]
        token = make_token(secret, data["username"], user[1], int(clock()) + 300)
        return jsonify(access_token=token, token_type="Bearer", expires_in=300)

    @app.get("/notes")
    def list_notes():
        # TODO: authenticate the bearer token, check scopes and ownership
        return jsonify(items=list(notes.values()))

    return app

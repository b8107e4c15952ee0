import base64
import hashlib
import hmac
import json

import pytest
from app import create_app, make_token
from judge import http_client

SECRET = b"hidden-test-secret"
NOW = 1_700_000_000


class Clock:
    """A hand-moved clock; the app calls it like time.time."""

    def __init__(self, now=NOW):
        self.now = now

    def __call__(self):
        return self.now


def b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def forge(payload=None, secret=SECRET, raw=None):
    """A token built to the spec; json.dumps with its default spacing on purpose."""
    segment = b64(raw if raw is not None else json.dumps(payload).encode())
    signature = b64(hmac.new(secret, segment.encode("ascii"), hashlib.sha256).digest())
    return f"{segment}.{signature}"


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def claims(sub="alice", scope="notes:read notes:write", exp=NOW + 300):
    return {"sub": sub, "scope": scope, "exp": exp}


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def client(clock):
    return http_client(create_app(SECRET, clock=clock))


@pytest.fixture
def shared():
    """An app for the read-only checks that never change state."""
    # One app per test, so that a test that makes the app's process fail (and restart)
    # leaves the following tests a working app.
    return http_client(create_app(SECRET, clock=Clock()))


def login(client, user, password):
    r = client.post("/token", json={"username": user, "password": password})
    assert r.status_code == 200
    return bearer(r.json["access_token"])


def check_signed(token, secret=SECRET):
    """Split a token, check its signature to the spec and return the decoded payload."""
    assert type(token) is str
    assert "=" not in token
    segment, signature = token.split(".")
    expected = hmac.new(secret, segment.encode("ascii"), hashlib.sha256).digest()
    assert unb64(signature) == expected
    return json.loads(unb64(segment))


def challenge_of(r, status):
    assert r.status_code == status
    assert type(r.json["error"]) is str
    header = r.headers.get("WWW-Authenticate", "")
    assert header.startswith("Bearer ")
    assert 'realm="notes"' in header
    return header


def test_token_endpoint_issues_a_signed_token(client):
    """POST /token answers a Bearer token signed to the spec, exp = now + 300, no-store"""
    r = client.post("/token", json={"username": "alice", "password": "wonderland"})
    assert r.status_code == 200
    body = r.json
    assert body["token_type"] == "Bearer"
    assert type(body["expires_in"]) is int and body["expires_in"] == 300
    payload = check_signed(body["access_token"])
    assert type(payload["exp"]) is int
    assert payload == {"sub": "alice", "scope": "notes:read notes:write", "exp": NOW + 300}
    assert "no-store" in r.headers.get("Cache-Control", "")


def test_make_token_follows_the_format():
    """make_token returns payload.signature, base64url without padding, HMAC over the segment"""
    token = make_token(SECRET, "zed", "notes:read", 123)
    assert check_signed(token) == {"sub": "zed", "scope": "notes:read", "exp": 123}
    other = make_token(b"another-secret", "zed", "notes:read", 123)
    assert other.split(".")[1] != token.split(".")[1]
    check_signed(other, b"another-secret")


@pytest.mark.parametrize("kwargs", [
    {"json": {"username": "alice", "password": "Wonderland"}},
    {"json": {"username": "mallory", "password": "wonderland"}},
    {"json": {"username": "alice"}},
    {"json": {"username": "alice", "password": ["wonderland"]}},
    {"json": ["alice", "wonderland"]},
    {"data": "username=alice&password=wonderland",
     "content_type": "application/x-www-form-urlencoded"},
])
def test_bad_credentials_are_401(shared, kwargs):
    """Wrong password, unknown user, missing or ill-typed fields: 401 and no token"""
    r = shared.post("/token", **kwargs)
    assert r.status_code == 401
    assert type(r.json["error"]) is str
    assert "access_token" not in r.json


def test_tokens_built_to_the_spec_are_accepted(client):
    """A token signed over the segment as sent works; rights come from its scope"""
    r = client.post("/notes", json={"text": "from a forged-to-spec token"},
                    headers=bearer(forge(claims())))
    assert r.status_code == 201
    body = r.json
    assert type(body["id"]) is int
    assert body == {"id": 1, "owner": "alice", "text": "from a forged-to-spec token"}
    assert r.headers.get("Location", "").endswith("/notes/1")
    carol_can_write = forge(claims(sub="carol"))
    lower = {"Authorization": f"bearer {carol_can_write}"}
    assert client.post("/notes", json={"text": "c"}, headers=lower).status_code == 201
    r = client.get("/notes", headers=lower)
    assert r.status_code == 200
    assert r.json == {"items": [{"id": 2, "owner": "carol", "text": "c"}]}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Basic YWxpY2U6d29uZGVybGFuZA=="},
                                     {"Authorization": "Token abc"}, {"Authorization": ""}])
def test_missing_credentials_are_401_with_a_plain_challenge(shared, headers):
    """No Bearer credentials: 401, WWW-Authenticate Bearer realm="notes", no error code"""
    header = challenge_of(shared.get("/notes", headers=headers), 401)
    assert "error=" not in header


def _tampered():
    good = forge(claims())
    evil = forge(claims(sub="root", scope="notes:read notes:write notes:admin"))
    return evil.split(".")[0] + "." + good.split(".")[1]


@pytest.mark.parametrize("token", [
    pytest.param(_tampered(), id="tampered-payload"),
    pytest.param(forge(claims(), secret=b"wrong-secret"), id="wrong-secret"),
    pytest.param("not-a-token", id="one-segment"),
    pytest.param(forge(claims()) + ".extra", id="three-segments"),
    pytest.param("\u00e9t\u00e9.\u00e9t\u00e9", id="non-ascii"),
    pytest.param("a.b", id="short-garbage"),
    pytest.param(forge(raw=b"{not json"), id="payload-not-json"),
    pytest.param(forge(raw=b"\xff\xfe"), id="payload-not-utf8"),
    pytest.param(forge(["alice"]), id="payload-array"),
    pytest.param(forge(claims(exp=str(NOW + 300))), id="exp-string"),
    pytest.param(forge(claims(exp=True)), id="exp-bool"),
    pytest.param(forge({"scope": "notes:read", "exp": NOW + 300}), id="no-sub"),
    pytest.param(forge(claims(sub="")), id="empty-sub"),
    pytest.param(forge(claims(scope=["notes:read"])), id="scope-list"),
])
def test_forged_or_malformed_tokens_are_401(shared, token):
    """Tampered, wrongly signed, malformed or ill-typed tokens: 401 invalid_token, never 500"""
    header = challenge_of(shared.get("/notes", headers=bearer(token)), 401)
    assert 'error="invalid_token"' in header


def test_expiry_is_exclusive(client, clock):
    """A token works until just before exp and is an invalid_token from exp on"""
    auth = login(client, "alice", "wonderland")
    clock.now = NOW + 299
    assert client.get("/notes", headers=auth).status_code == 200
    clock.now = NOW + 299.5
    assert client.get("/notes", headers=auth).status_code == 200
    clock.now = NOW + 300
    header = challenge_of(client.get("/notes", headers=auth), 401)
    assert 'error="invalid_token"' in header
    clock.now = NOW + 10_000
    assert client.get("/notes", headers=auth).status_code == 401


def test_insufficient_scope_is_403(client):
    """A valid token without the needed scope is 403 insufficient_scope naming the scope"""
    carol = login(client, "carol", "readonly")
    assert client.get("/notes", headers=carol).status_code == 200
    header = challenge_of(client.post("/notes", json={"text": "x"}, headers=carol), 403)
    assert 'error="insufficient_scope"' in header
    assert 'scope="notes:write"' in header
    nothing = bearer(forge(claims(scope="")))
    header = challenge_of(client.get("/notes", headers=nothing), 403)
    assert 'scope="notes:read"' in header


def test_scopes_are_whole_words(client):
    """notes:writer is not notes:write and notes:reader is not notes:read"""
    writer = bearer(forge(claims(scope="notes:read notes:writer")))
    assert client.post("/notes", json={"text": "x"}, headers=writer).status_code == 403
    reader = bearer(forge(claims(scope="notes:reader notes:write")))
    assert client.get("/notes", headers=reader).status_code == 403
    assert client.post("/notes", json={"text": "x"}, headers=reader).status_code == 201
    assert client.get("/notes/1", headers=reader).status_code == 403
    admin_ish = bearer(forge(claims(sub="bob", scope="notes:read notes:administrator")))
    assert client.get("/notes/1", headers=admin_ish).status_code == 404


def test_other_users_notes_look_missing(client):
    """Another user's note is 404 for GET and DELETE, and never listed; the owner keeps it"""
    alice = login(client, "alice", "wonderland")
    bob = login(client, "bob", "builder")
    assert client.post("/notes", json={"text": "alice's"}, headers=alice).status_code == 201
    assert client.post("/notes", json={"text": "bob's"}, headers=bob).status_code == 201
    r = client.get("/notes/1", headers=bob)
    assert r.status_code == 404
    assert type(r.json["error"]) is str
    assert client.delete("/notes/1", headers=bob).status_code == 404
    assert client.get("/notes/99", headers=bob).status_code == 404
    assert client.get("/notes", headers=bob).json == {"items": [{"id": 2, "owner": "bob",
                                                                 "text": "bob's"}]}
    assert client.get("/notes/1", headers=alice).json == {"id": 1, "owner": "alice",
                                                          "text": "alice's"}
    r = client.delete("/notes/1", headers=alice)
    assert r.status_code == 204
    assert r.data == b""
    assert client.get("/notes/1", headers=alice).status_code == 404


def test_admin_reaches_every_note_but_lists_its_own(client):
    """notes:admin may read and delete any note; GET /notes still lists only its own"""
    alice = login(client, "alice", "wonderland")
    root = login(client, "root", "toor")
    client.post("/notes", json={"text": "alice's"}, headers=alice)
    r = client.get("/notes/1", headers=root)
    assert r.status_code == 200
    assert r.json["owner"] == "alice"
    assert client.get("/notes", headers=root).json == {"items": []}
    assert client.delete("/notes/1", headers=root).status_code == 204
    assert client.get("/notes/1", headers=alice).status_code == 404


def test_authentication_comes_first(client):
    """401 beats 403, 404 and 422; 403 beats 404; then the body is checked"""
    assert client.get("/notes/999").status_code == 401
    assert client.post("/notes", data="junk").status_code == 401
    carol = login(client, "carol", "readonly")
    assert client.delete("/notes/999", headers=carol).status_code == 403
    alice = login(client, "alice", "wonderland")
    r = client.post("/notes", json={"txt": "typo"}, headers=alice)
    assert r.status_code == 422
    assert type(r.json["error"]) is str
    assert client.get("/notes", headers=alice).json == {"items": []}


@pytest.mark.parametrize("secret", [b"", "text-secret", None])
def test_create_app_needs_a_bytes_secret(secret):
    """create_app raises ValueError unless the secret is non-empty bytes"""
    with pytest.raises(ValueError):
        create_app(secret)
    # A good secret is accepted and gives a working app.
    client = http_client(create_app(b"k", clock=Clock()))
    r = client.post("/token", json={"username": "carol", "password": "readonly"})
    assert r.status_code == 200
    assert check_signed(r.json["access_token"], b"k") == {
        "sub": "carol", "scope": "notes:read", "exp": NOW + 300}

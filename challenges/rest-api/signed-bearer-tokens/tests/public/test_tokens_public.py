import pytest
from app import create_app
from judge import http_client

NOW = 1_700_000_000


@pytest.fixture
def client():
    return http_client(create_app(b"public-secret", clock=lambda: NOW))


def login(client, user, password):
    r = client.post("/token", json={"username": user, "password": password})
    assert r.status_code == 200
    return {"Authorization": "Bearer " + r.json["access_token"]}


def test_login_and_create_a_note(client):
    auth = login(client, "alice", "wonderland")
    r = client.post("/notes", json={"text": "hi"}, headers=auth)
    assert r.status_code == 201
    assert r.json == {"id": 1, "owner": "alice", "text": "hi"}


def test_no_token_is_401_with_challenge(client):
    r = client.get("/notes")
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_read_only_user_cannot_write(client):
    auth = login(client, "carol", "readonly")
    assert client.get("/notes", headers=auth).status_code == 200
    assert client.post("/notes", json={"text": "x"}, headers=auth).status_code == 403

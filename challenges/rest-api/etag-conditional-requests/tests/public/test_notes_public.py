import pytest
from app import create_app
from judge import http_client


@pytest.fixture
def client():
    return http_client(create_app(clock=lambda: 1_700_000_000.4))


def test_get_has_validators(client):
    client.post("/notes", json={"text": "milk"})
    r = client.get("/notes/1")
    assert r.status_code == 200
    assert r.headers["ETag"].startswith('"')
    assert r.headers["Last-Modified"] == "Tue, 14 Nov 2023 22:13:20 GMT"


def test_matching_if_none_match_is_304(client):
    etag = client.post("/notes", json={"text": "milk"}).headers["ETag"]
    r = client.get("/notes/1", headers={"If-None-Match": etag})
    assert r.status_code == 304
    assert r.data == b""


def test_put_without_if_match_is_428(client):
    client.post("/notes", json={"text": "milk"})
    r = client.put("/notes/1", json={"text": "tea"})
    assert r.status_code == 428

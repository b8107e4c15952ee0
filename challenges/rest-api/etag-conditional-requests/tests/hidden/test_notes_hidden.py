import re

import pytest
from app import create_app
from judge import http_client

T0 = 1_700_000_000.4
LM0 = "Tue, 14 Nov 2023 22:13:20 GMT"  # T0 without the fraction


class Clock:
    """A hand-moved clock; the app calls it like time.time."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock(T0)


@pytest.fixture
def client(clock):
    c = http_client(create_app(clock=clock))
    r = c.post("/notes", json={"text": "milk"})
    assert r.status_code == 201
    return c


def etag(client):
    return client.get("/notes/1").headers["ETag"]


def directives(r):
    return {d.strip().lower() for d in r.headers.get("Cache-Control", "").split(",")}


def text(client):
    return client.get("/notes/1").json["text"]


def test_get_sends_strong_etag_last_modified_and_cache_control(client):
    """GET answers the note with a quoted strong ETag, Last-Modified and Cache-Control"""
    r = client.get("/notes/1")
    assert r.status_code == 200
    body = r.json
    assert type(body["id"]) is int and type(body["text"]) is str
    assert body == {"id": 1, "text": "milk"}
    assert re.fullmatch(r'"[^"]+"', r.headers.get("ETag", ""))
    assert r.headers.get("Last-Modified") == LM0
    assert {"max-age=30", "must-revalidate"} <= directives(r)


def test_post_sends_the_same_validators_as_get():
    """POST answers 201 with Location and the ETag/Last-Modified a GET then shows"""
    client = http_client(create_app(clock=Clock(T0)))
    r = client.post("/notes", json={"text": "bread"})
    assert r.status_code == 201
    assert r.headers.get("Location", "").endswith("/notes/1")
    assert r.json == {"id": 1, "text": "bread"}
    got = client.get("/notes/1")
    assert r.headers.get("ETag") == got.headers["ETag"]
    assert r.headers.get("Last-Modified") == LM0
    assert client.post("/notes", json={"text": 5}).status_code == 422
    assert client.get("/notes/2").status_code == 404


def test_etag_is_stable_and_changes_with_the_text(client):
    """The ETag repeats while the note is unchanged and differs after a PUT"""
    first = etag(client)
    assert etag(client) == first
    r = client.put("/notes/1", json={"text": "oat milk"}, headers={"If-Match": first})
    assert r.status_code == 200
    assert r.headers.get("ETag") not in (None, first)
    assert etag(client) == r.headers["ETag"]


@pytest.mark.parametrize("make", [
    lambda tag: tag,
    lambda tag: "W/" + tag,
    lambda tag: '"not-it", ' + tag,
    lambda tag: "*",
])
def test_matching_if_none_match_is_304_with_headers(client, make):
    """If-None-Match matching weakly (exact, W/, in a list, *) is 304 with the validators"""
    tag = etag(client)
    r = client.get("/notes/1", headers={"If-None-Match": make(tag)})
    assert r.status_code == 304
    assert r.data == b""
    assert r.headers.get("ETag") == tag
    assert "max-age=30" in directives(r)


def test_if_none_match_wins_over_if_modified_since(client):
    """A non-matching If-None-Match is 200 even when If-Modified-Since alone would be 304"""
    r = client.get("/notes/1", headers={"If-None-Match": '"something-else"',
                                        "If-Modified-Since": "Wed, 15 Nov 2023 00:00:00 GMT"})
    assert r.status_code == 200
    assert r.json == {"id": 1, "text": "milk"}


@pytest.mark.parametrize("since,status", [
    (LM0, 304),
    ("Tue, 14 Nov 2023 22:14:20 GMT", 304),
    ("Tue, 14 Nov 2023 22:13:19 GMT", 200),
    ("yesterday, around noon", 200),
])
def test_if_modified_since_compares_whole_seconds(client, since, status):
    """304 when Last-Modified (whole seconds) <= If-Modified-Since; bad dates are ignored"""
    r = client.get("/notes/1", headers={"If-Modified-Since": since})
    assert r.status_code == status
    if status == 200:
        assert r.json["text"] == "milk"


def test_update_moves_last_modified(client, clock):
    """A PUT sets Last-Modified to the clock's time, so the old date no longer gives 304"""
    clock.now = T0 + 89.9  # 1_700_000_090.3
    r = client.put("/notes/1", json={"text": "tea"}, headers={"If-Match": etag(client)})
    assert r.status_code == 200
    assert r.headers.get("Last-Modified") == "Tue, 14 Nov 2023 22:14:50 GMT"
    assert client.get("/notes/1", headers={"If-Modified-Since": LM0}).status_code == 200
    r = client.get("/notes/1", headers={"If-Modified-Since": "Tue, 14 Nov 2023 22:14:50 GMT"})
    assert r.status_code == 304


def test_put_without_if_match_is_428_and_changes_nothing(client):
    """An unconditional PUT is refused with 428 and the note stays as it was"""
    r = client.put("/notes/1", json={"text": "tea"})
    assert r.status_code == 428
    assert type(r.json["error"]) is str
    assert text(client) == "milk"


def test_stale_or_weak_if_match_is_412(client):
    """If-Match with an old tag, or the current tag marked weak, is 412; nothing changes"""
    old = etag(client)
    assert client.put("/notes/1", json={"text": "tea"}, headers={"If-Match": old}).status_code == 200
    current = etag(client)
    r = client.put("/notes/1", json={"text": "coffee"}, headers={"If-Match": old})
    assert r.status_code == 412
    assert type(r.json["error"]) is str
    r = client.put("/notes/1", json={"text": "coffee"}, headers={"If-Match": "W/" + current})
    assert r.status_code == 412
    r = client.put("/notes/1", json={"text": 42}, headers={"If-Match": old})
    assert r.status_code == 412
    assert text(client) == "tea"
    assert etag(client) == current


def test_if_match_star_and_lists_match(client):
    """If-Match: * and a list containing the current tag both allow the update"""
    r = client.put("/notes/1", json={"text": "tea"}, headers={"If-Match": "*"})
    assert r.status_code == 200
    current = etag(client)
    r = client.put("/notes/1", json={"text": "juice"},
                   headers={"If-Match": f'"stale-one", {current}'})
    assert r.status_code == 200
    assert r.json == {"id": 1, "text": "juice"}


def test_invalid_update_body_is_422(client):
    """A conditional PUT with a body that is not {"text": str} is 422 and changes nothing"""
    tag = etag(client)
    for body in ({"text": None}, {"txt": "tea"}, ["tea"]):
        r = client.put("/notes/1", json=body, headers={"If-Match": tag})
        assert r.status_code == 422
    assert text(client) == "milk"
    assert etag(client) == tag


def test_unknown_note_is_404(client):
    """GET and PUT of an unknown id are 404, whatever the preconditions"""
    assert client.get("/notes/9").status_code == 404
    assert client.get("/notes/9", headers={"If-None-Match": "*"}).status_code == 404
    r = client.put("/notes/9", json={"text": "x"}, headers={"If-Match": "*"})
    assert r.status_code == 404
    assert client.put("/notes/9", json={"text": "x"}).status_code == 404

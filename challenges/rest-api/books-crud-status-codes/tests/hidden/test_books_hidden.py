import pytest
from app import create_app
from judge import http_client

BOOK = {"isbn": "9780134685991", "title": "Effective Java", "year": 2018}
OTHER = {"isbn": "9781449355739", "title": "Learning Python", "year": 2013}


@pytest.fixture
def client():
    app = create_app()
    return http_client(app)


def books(client):
    r = client.get("/books")
    assert r.status_code == 200
    assert type(r.json["items"]) is list
    return r.json["items"]


def test_create_returns_201_location_and_typed_body(client):
    """POST answers 201 with a Location header and the stored book with an int id"""
    r = client.post("/books", json=BOOK)
    assert r.status_code == 201
    assert r.headers.get("Location", "").endswith("/books/1")
    body = r.json
    assert type(body["id"]) is int and body["id"] == 1
    assert body == {"id": 1, **BOOK}
    got = client.get("/books/1")
    assert got.status_code == 200
    assert got.json == body


def test_ids_are_sequential_and_never_reused(client):
    """Ids count up from 1 and a deleted book's id is not handed out again"""
    assert client.post("/books", json=BOOK).json["id"] == 1
    assert client.post("/books", json=OTHER).json["id"] == 2
    assert client.delete("/books/2").status_code == 204
    r = client.post("/books", json={**OTHER, "isbn": "111"})
    assert r.status_code == 201
    assert r.json["id"] == 3
    assert [b["id"] for b in books(client)] == [1, 3]


def test_body_cannot_choose_or_change_the_id(client):
    """An id in a POST or PUT body is ignored"""
    r = client.post("/books", json={**BOOK, "id": 99})
    assert r.status_code == 201
    assert r.json["id"] == 1
    r = client.put("/books/1", json={**BOOK, "id": 7})
    assert r.status_code == 200
    assert r.json["id"] == 1
    assert client.get("/books/7").status_code == 404


def test_duplicate_isbn_is_409_and_stores_nothing(client):
    """Creating a second book with a used isbn is a 409 conflict"""
    client.post("/books", json=BOOK)
    r = client.post("/books", json={**OTHER, "isbn": BOOK["isbn"]})
    assert r.status_code == 409
    assert type(r.json["error"]) is str
    assert len(books(client)) == 1


@pytest.mark.parametrize("body", [
    {"title": "No isbn", "year": 2000},
    {"isbn": "1", "year": 2000},
    {"isbn": "1", "title": "No year"},
    {"isbn": "1", "title": "T", "year": "1999"},
    {"isbn": "1", "title": "T", "year": True},
    {"isbn": "1", "title": "T", "year": 19.5},
    {"isbn": "1", "title": "   ", "year": 2000},
    {"isbn": 1234567890, "title": "T", "year": 2000},
    {"isbn": "1", "title": None, "year": 2000},
])
def test_invalid_fields_are_422(client, body):
    """A missing or ill-typed field (including a boolean year or a blank title) is 422"""
    r = client.post("/books", json=body)
    assert r.status_code == 422
    assert type(r.json["error"]) is str
    assert books(client) == []


@pytest.mark.parametrize("kwargs", [
    {"data": "{not json", "content_type": "application/json"},
    {"json": [BOOK]},
    {"json": "a string"},
    {},
])
def test_body_that_is_not_an_object_is_400(client, kwargs):
    """Malformed JSON, a non-object body or no body at all is 400, not 500"""
    r = client.post("/books", **kwargs)
    assert r.status_code == 400
    assert type(r.json["error"]) is str
    client.post("/books", json=BOOK)
    r = client.put("/books/1", **kwargs)
    assert r.status_code == 400
    r = client.patch("/books/1", **kwargs)
    assert r.status_code == 400


def test_put_replaces_and_is_idempotent(client):
    """PUT needs every field, replaces the book and gives the same result twice"""
    client.post("/books", json=BOOK)
    new = {"isbn": "0000000001", "title": "Effective Java, 3rd ed.", "year": 2017}
    first = client.put("/books/1", json=new)
    second = client.put("/books/1", json=new)
    assert first.status_code == second.status_code == 200
    assert first.json == second.json == {"id": 1, **new}
    assert books(client) == [{"id": 1, **new}]
    r = client.put("/books/1", json={"title": "Only a title"})
    assert r.status_code == 422
    assert client.get("/books/1").json == {"id": 1, **new}


def test_patch_changes_only_the_given_fields(client):
    """PATCH merges the given fields, keeps the rest and still validates what it gets"""
    client.post("/books", json=BOOK)
    r = client.patch("/books/1", json={"year": 2017})
    assert r.status_code == 200
    assert r.json == {**BOOK, "id": 1, "year": 2017}
    assert client.patch("/books/1", json={}).json == {**BOOK, "id": 1, "year": 2017}
    r = client.patch("/books/1", json={"year": "2020", "title": "Changed"})
    assert r.status_code == 422
    assert client.get("/books/1").json == {**BOOK, "id": 1, "year": 2017}


def test_update_keeping_own_isbn_is_not_a_conflict(client):
    """PUT/PATCH with the book's own isbn is fine; taking another book's isbn is 409"""
    client.post("/books", json=BOOK)
    client.post("/books", json=OTHER)
    r = client.put("/books/1", json={**BOOK, "title": "Renamed"})
    assert r.status_code == 200
    assert client.patch("/books/1", json={"isbn": BOOK["isbn"]}).status_code == 200
    r = client.patch("/books/1", json={"isbn": OTHER["isbn"]})
    assert r.status_code == 409
    r = client.put("/books/2", json={**OTHER, "isbn": BOOK["isbn"]})
    assert r.status_code == 409
    assert client.get("/books/1").json["isbn"] == BOOK["isbn"]
    assert client.get("/books/2").json["isbn"] == OTHER["isbn"]


def test_missing_book_is_404_before_the_body_is_checked(client):
    """GET, PUT, PATCH and DELETE of an unknown id are 404 whatever the body"""
    assert client.get("/books/5").status_code == 404
    assert client.put("/books/5", json={"title": 3}).status_code == 404
    assert client.patch("/books/5", data="nope").status_code == 404
    r = client.delete("/books/5")
    assert r.status_code == 404
    assert type(r.json["error"]) is str


def test_delete_is_204_then_404(client):
    """DELETE answers 204 with no body; the book is gone afterwards"""
    client.post("/books", json=BOOK)
    r = client.delete("/books/1")
    assert r.status_code == 204
    assert r.data == b""
    assert client.get("/books/1").status_code == 404
    assert client.delete("/books/1").status_code == 404
    assert books(client) == []


@pytest.mark.parametrize("method,path", [
    ("DELETE", "/books"),
    ("PUT", "/books"),
    ("PATCH", "/books"),
    ("POST", "/books/1"),
])
def test_unsupported_methods_are_405(client, method, path):
    """A method the path does not support is 405 with an Allow header"""
    client.post("/books", json=BOOK)
    r = client.open(path, method=method, json=BOOK)
    assert r.status_code == 405
    allow = {m.strip() for m in r.headers.get("Allow", "").split(",")}
    assert "GET" in allow
    assert method not in allow
    assert len(books(client)) == 1

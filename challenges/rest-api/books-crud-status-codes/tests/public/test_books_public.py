import pytest
from app import create_app
from judge import http_client

BOOK = {"isbn": "9780134685991", "title": "Effective Java", "year": 2018}


@pytest.fixture
def client():
    app = create_app()
    return http_client(app)


def test_create_returns_201_and_location(client):
    r = client.post("/books", json=BOOK)
    assert r.status_code == 201
    assert r.headers["Location"].endswith("/books/1")
    assert r.json == {"id": 1, **BOOK}


def test_unknown_book_is_404(client):
    r = client.get("/books/42")
    assert r.status_code == 404
    assert "error" in r.json


def test_delete_returns_204(client):
    client.post("/books", json=BOOK)
    r = client.delete("/books/1")
    assert r.status_code == 204
    assert r.data == b""

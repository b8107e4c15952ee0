import pytest
from app import create_app
from judge import http_client, tmpdir


@pytest.fixture
def client():
    # tmpdir() is a folder the app itself can write; pytest's tmp_path is not.
    app = create_app({"TESTING": True, "DATABASE": tmpdir() + "/notes.db"})
    return http_client(app)


def test_create_then_list(client):
    response = client.post("/notes", json={"title": "Hello", "body": "world", "tags": ["b", "a"]})
    assert response.status_code == 201
    note = response.get_json()
    assert note["tags"] == ["a", "b"]
    assert client.get("/notes").get_json() == {"notes": [note]}


def test_search_is_not_sql(client):
    client.post("/notes", json={"title": "Hello"})
    response = client.get("/notes", query_string={"q": "' OR '1'='1"})
    assert response.status_code == 200
    assert response.get_json() == {"notes": []}


def test_duplicate_tag_is_409_and_stores_nothing(client):
    response = client.post("/notes", json={"title": "Twice", "tags": ["a", "a"]})
    assert response.status_code == 409
    assert client.get("/notes").get_json() == {"notes": []}

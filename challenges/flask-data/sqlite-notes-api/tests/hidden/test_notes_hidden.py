import sqlite3

import pytest
from app import create_app, get_db, init_db
from judge import http_client, remote_module, tmpdir

flask = remote_module("flask")  # Flask as the candidate's process has it
# sqlite3 as the candidate's process has it: the database files are made (and readable)
# there, so the tests open them there too.
remote_sqlite3 = remote_module("sqlite3")

NOTES = [
    {"title": "Groceries", "body": "milk, eggs and BREAD", "tags": ["home", "errands"]},
    {"title": "It's done", "body": "shipped at 100% of scope", "tags": []},
    {"title": "Style guide", "body": "use snake_case names", "tags": ["code"]},
]


@pytest.fixture
def db_path():
    return tmpdir() + "/notes.db"


@pytest.fixture
def app(db_path):
    return create_app({"TESTING": True, "DATABASE": db_path})


@pytest.fixture
def client(app):
    return http_client(app)


@pytest.fixture
def seeded(client):
    ids = []
    for note in NOTES:
        response = client.post("/notes", json=note)
        assert response.status_code == 201
        ids.append(response.get_json()["id"])
    return ids


def rows(db_path, sql, params=()):
    conn = remote_sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def titles(response):
    assert response.status_code == 200
    return [note["title"] for note in response.get_json()["notes"]]


def test_one_connection_per_app_context_closed_at_teardown(app):
    """get_db returns one sqlite3 connection per app context, kept on g.db and closed at teardown"""
    with app.app_context():
        db = get_db()
        assert isinstance(db, remote_sqlite3.Connection)
        assert get_db() is db
        assert flask.g.db is db
        db.execute("SELECT 1")
    with pytest.raises(sqlite3.ProgrammingError):
        db.execute("SELECT 1")
    with app.app_context():
        assert get_db() is not db


def test_database_path_comes_from_config():
    """Each app uses the file named by its own DATABASE setting"""
    folder = tmpdir()
    first = create_app({"TESTING": True, "DATABASE": folder + "/a.db"})
    second = create_app({"TESTING": True, "DATABASE": folder + "/b.db"})
    assert http_client(first).post("/notes", json={"title": "only in a"}).status_code == 201
    assert titles(http_client(second).get("/notes")) == []
    assert titles(http_client(first).get("/notes")) == ["only in a"]
    assert rows(folder + "/a.db", "SELECT title FROM notes") == [("only in a",)]


def test_init_db_creates_the_schema_and_keeps_data(app, client, db_path):
    """create_app runs init_db; running it again (or a new app on the same file) keeps the notes"""
    found = rows(db_path, "SELECT name FROM sqlite_master WHERE type = 'table'")
    tables = {name for (name,) in found}
    assert {"notes", "tags"} <= tables
    client.post("/notes", json={"title": "keep me", "tags": ["x"]})
    with app.app_context():
        init_db()
    again = create_app({"TESTING": True, "DATABASE": db_path})
    assert titles(http_client(again).get("/notes")) == ["keep me"]


def test_create_and_fetch_a_note(client):
    """POST /notes is 201 with the stored note (stripped title, sorted tags); GET returns it"""
    response = client.post("/notes", json={"title": "  Plan ", "body": "b", "tags": ["z", "a"]})
    assert response.status_code == 201
    note = response.get_json()
    assert type(note["id"]) is int
    assert note == {"id": note["id"], "title": "Plan", "body": "b", "tags": ["a", "z"]}
    fetched = client.get(f"/notes/{note['id']}")
    assert fetched.status_code == 200
    assert fetched.get_json() == note
    minimal = client.post("/notes", json={"title": "t"}).get_json()
    assert (minimal["body"], minimal["tags"]) == ("", [])


@pytest.mark.parametrize(
    "payload",
    [None, ["title"], {}, {"title": "   "}, {"title": 5}, {"title": "t", "body": 3},
     {"title": "t", "tags": "home"}, {"title": "t", "tags": [1]}, {"title": "t", "tags": [""]}],
    ids=["not-json", "list", "no-title", "blank-title", "int-title", "int-body",
         "tags-string", "tags-int", "tags-empty-string"],
)
def test_invalid_notes_are_400(client, db_path, payload):
    """A body that is not a valid note object is 400 {"error": "invalid note"} and stores nothing"""
    if payload is None:
        response = client.post("/notes", data="title=x", content_type="text/plain")
    else:
        response = client.post("/notes", json=payload)
    assert response.status_code == 400
    assert response.get_json() == {"error": "invalid note"}
    assert rows(db_path, "SELECT count(*) FROM notes") == [(0,)]


def test_unknown_note_is_404(client, seeded):
    """GET and DELETE of an id that does not exist are 404 {"error": "not found"}"""
    for response in (client.get("/notes/999"), client.delete("/notes/999")):
        assert response.status_code == 404
        assert response.get_json() == {"error": "not found"}


def test_delete_removes_the_note_and_its_tags(client, seeded, db_path):
    """DELETE is 204 and removes the note and its tag rows"""
    first = seeded[0]
    response = client.delete(f"/notes/{first}")
    assert response.status_code == 204
    assert client.get(f"/notes/{first}").status_code == 404
    assert rows(db_path, "SELECT count(*) FROM tags WHERE note_id = ?", (first,)) == [(0,)]
    assert titles(client.get("/notes")) == ["It's done", "Style guide"]


@pytest.mark.parametrize(
    "q, expected",
    [("", ["Groceries", "It's done", "Style guide"]), ("GROCER", ["Groceries"]),
     ("bread", ["Groceries"]), ("it's", ["It's done"]),
     ("e", ["Groceries", "It's done", "Style guide"]),
     ("nothing here", [])],
    ids=["empty", "title-upper", "body-lower", "quote", "several", "none"],
)
def test_search_matches_title_or_body_ignoring_case(client, seeded, q, expected):
    """?q= keeps notes whose title or body contains q ignoring case, in id order"""
    assert titles(client.get("/notes", query_string={"q": q})) == expected


@pytest.mark.parametrize(
    "q",
    ["' OR '1'='1", "%' OR 1=1 --", "x'); DROP TABLE notes; --",
     "') UNION SELECT 1, 'hacked', 'x' --", "\" OR \"\"=\""],
    ids=["or-true", "percent-or", "drop-table", "union", "double-quotes"],
)
def test_search_terms_cannot_inject_sql(client, seeded, db_path, q):
    """SQL in the search term is only text: no match, no error, no damage"""
    assert titles(client.get("/notes", query_string={"q": q})) == []
    assert titles(client.get("/notes")) == ["Groceries", "It's done", "Style guide"]
    assert rows(db_path, "SELECT count(*) FROM notes") == [(3,)]


@pytest.mark.parametrize(
    "q, expected",
    [("%", ["It's done"]), ("_", ["Style guide"]), ("100%", ["It's done"]),
     ("e_c", ["Style guide"])],
    ids=["percent", "underscore", "percent-after-digits", "underscore-inside"],
)
def test_search_wildcards_are_literal(client, seeded, q, expected):
    """% and _ in q match themselves, not any text"""
    assert titles(client.get("/notes", query_string={"q": q})) == expected


def test_duplicate_tags_roll_the_whole_note_back(client, seeded, db_path):
    """An IntegrityError while saving is 409 {"error": "conflict"} and leaves no note or tag behind"""
    response = client.post("/notes", json={"title": "Twice", "tags": ["a", "b", "a"]})
    assert response.status_code == 409
    assert response.get_json() == {"error": "conflict"}
    assert rows(db_path, "SELECT count(*) FROM notes") == [(3,)]
    assert rows(db_path, "SELECT count(*) FROM tags") == [(3,)]


def test_failure_after_the_note_insert_rolls_back(client, seeded, db_path):
    """A tag insert that the database refuses undoes the note and earlier tags; later writes still work"""
    conn = remote_sqlite3.connect(db_path)
    try:
        conn.execute("CREATE TRIGGER refuse_boom BEFORE INSERT ON tags WHEN NEW.name = 'boom' "
                     "BEGIN SELECT RAISE(ABORT, 'boom is not allowed'); END")
        conn.commit()
    finally:
        conn.close()
    response = client.post("/notes", json={"title": "Doomed", "tags": ["fine", "boom"]})
    assert response.status_code == 409
    assert rows(db_path, "SELECT count(*) FROM notes") == [(3,)]
    assert rows(db_path, "SELECT count(*) FROM tags WHERE name = 'fine'") == [(0,)]
    after = client.post("/notes", json={"title": "Survivor", "tags": ["fine"]})
    assert after.status_code == 201
    assert titles(client.get("/notes"))[-1] == "Survivor"

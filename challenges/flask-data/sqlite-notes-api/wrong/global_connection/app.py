import os
import sqlite3

from flask import Flask, current_app, g, jsonify, request

SCHEMA = """
CREATE TABLE IF NOT EXISTS notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tags (
    note_id INTEGER NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    PRIMARY KEY (note_id, name)
);
"""


_connection = None


def get_db():
    """One shared connection, opened once: cheaper than one per request."""
    global _connection
    if _connection is None:
        _connection = sqlite3.connect(current_app.config["DATABASE"])
        _connection.row_factory = sqlite3.Row
        _connection.execute("PRAGMA foreign_keys = ON")
    g.db = _connection
    return _connection


def close_db(exc=None):
    g.pop("db", None)


def init_db():
    """Create the tables if they do not exist; existing data is kept."""
    db = get_db()
    db.executescript(SCHEMA)
    db.commit()


def error(message, status):
    return jsonify({"error": message}), status


def note_dict(db, row):
    tags = [t["name"] for t in db.execute(
        "SELECT name FROM tags WHERE note_id = ? ORDER BY name", (row["id"],))]
    return {"id": row["id"], "title": row["title"], "body": row["body"], "tags": tags}


def create_app(test_config=None):
    app = Flask(__name__, instance_relative_config=True)
    app.config["DATABASE"] = os.path.join(app.instance_path, "notes.sqlite")
    if test_config:
        app.config.update(test_config)
    app.teardown_appcontext(close_db)

    with app.app_context():
        init_db()

    @app.get("/notes")
    def list_notes():
        db = get_db()
        q = request.args.get("q")
        if q:
            rows = db.execute(
                "SELECT * FROM notes WHERE instr(lower(title), lower(?)) > 0"
                " OR instr(lower(body), lower(?)) > 0 ORDER BY id", (q, q))
        else:
            rows = db.execute("SELECT * FROM notes ORDER BY id")
        return jsonify({"notes": [note_dict(db, row) for row in rows.fetchall()]})

    @app.post("/notes")
    def create_note():
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return error("invalid note", 400)
        title, body, tags = data.get("title"), data.get("body", ""), data.get("tags", [])
        if (not isinstance(title, str) or not title.strip() or not isinstance(body, str)
                or not isinstance(tags, list)
                or not all(isinstance(t, str) and t for t in tags)):
            return error("invalid note", 400)
        db = get_db()
        try:
            with db:  # one transaction: commit on success, roll back on any error
                cursor = db.execute("INSERT INTO notes (title, body) VALUES (?, ?)",
                                    (title.strip(), body))
                note_id = cursor.lastrowid
                db.executemany("INSERT INTO tags (note_id, name) VALUES (?, ?)",
                               [(note_id, tag) for tag in tags])
        except sqlite3.IntegrityError:
            return error("conflict", 409)
        row = db.execute("SELECT * FROM notes WHERE id = ?", (note_id,)).fetchone()
        return jsonify(note_dict(db, row)), 201

    @app.get("/notes/<int:note_id>")
    def get_note(note_id):
        db = get_db()
        row = db.execute("SELECT * FROM notes WHERE id = ?", (note_id,)).fetchone()
        if row is None:
            return error("not found", 404)
        return jsonify(note_dict(db, row))

    @app.delete("/notes/<int:note_id>")
    def delete_note(note_id):
        db = get_db()
        with db:
            deleted = db.execute("DELETE FROM notes WHERE id = ?", (note_id,)).rowcount
        if not deleted:
            return error("not found", 404)
        return "", 204

    return app

import os
import sqlite3

from flask import Flask, current_app, g, jsonify, request

# Keep this schema as it is: the tests look at these tables.
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

connection = None


def get_db():
    global connection
    if connection is None:
        connection = sqlite3.connect(current_app.config["DATABASE"])
        connection.row_factory = sqlite3.Row
    return connection


def init_db():
    # TODO: create the schema.
    pass


def create_app(test_config=None):
    app = Flask(__name__)
    app.config["DATABASE"] = os.path.join(app.instance_path, "notes.sqlite")
    if test_config:
        app.config.update(test_config)

    @app.get("/notes")
    def list_notes():
        q = request.args.get("q", "")
        rows = get_db().execute(
            f"SELECT * FROM notes WHERE title LIKE '%{q}%' OR body LIKE '%{q}%'").fetchall()
        return jsonify({"notes": [dict(row) for row in rows]})

    @app.post("/notes")
    def create_note():
        data = request.get_json()
        db = get_db()
        cursor = db.execute("INSERT INTO notes (title, body) VALUES (?, ?)",
                            (data["title"], data.get("body", "")))
        db.commit()
        for tag in data.get("tags", []):
            db.execute("INSERT INTO tags (note_id, name) VALUES (?, ?)", (cursor.lastrowid, tag))
            db.commit()
        return jsonify({"id": cursor.lastrowid}), 201

    return app

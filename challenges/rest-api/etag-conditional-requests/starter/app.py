import itertools
import time

from flask import Flask, jsonify, request


def create_app(clock=None):
    clock = clock or time.time
    app = Flask(__name__)
    notes = {}
    ids = itertools.count(1)

    @app.post("/notes")
    def create_note():
        note = {"id": next(ids), "text": request.get_json()["text"]}
        notes[note["id"]] = note
        return jsonify(note), 201

    @app.get("/notes/<int:note_id>")
    def get_note(note_id):
        # TODO: ETag, Last-Modified, Cache-Control and 304 answers
        return jsonify(notes[note_id])

    @app.put("/notes/<int:note_id>")
    def replace_note(note_id):
        # TODO: require If-Match and refuse stale updates
        notes[note_id]["text"] = request.get_json()["text"]
        return jsonify(notes[note_id])

    return app

import email.utils
import hashlib
import itertools
import json
import re
import time
from datetime import timezone

from flask import Flask, jsonify, request

CACHE_CONTROL = "max-age=30, must-revalidate"
TAG = re.compile(r'(W/)?"([^"]*)"')


def etag_of(note):
    """A strong entity tag derived from the note's JSON representation."""
    digest = hashlib.sha256(json.dumps(note, sort_keys=True).encode()).hexdigest()
    return f'"{digest[:24]}"'


def parse_tags(header):
    """'*' or a list of (is_weak, quoted_tag) pairs from If-Match / If-None-Match."""
    if header.strip() == "*":
        return "*"
    return [(bool(weak), f'"{opaque}"') for weak, opaque in TAG.findall(header)]


def matches_weakly(header, etag):
    tags = parse_tags(header)
    return tags == "*" or any(tag == etag for _, tag in tags)


def matches_strongly(header, etag):
    tags = parse_tags(header)
    return tags == "*" or any(tag == etag and not weak for weak, tag in tags)


def http_date(seconds):
    return email.utils.formatdate(int(seconds), usegmt=True)


def parse_http_date(text):
    """Epoch seconds of an HTTP date, or None when it cannot be read."""
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:  # "-0000" means UTC with no zone given
        return moment.replace(tzinfo=timezone.utc).timestamp()
    return moment.timestamp()


def create_app(clock=None):
    clock = clock or time.time
    app = Flask(__name__)
    notes = {}  # id -> {"note": {...}, "modified": seconds}
    ids = itertools.count(1)

    def with_validators(response, entry):
        response.headers["ETag"] = etag_of(entry["note"])
        response.headers["Last-Modified"] = http_date(entry["modified"])
        return response

    def text_from_body():
        data = request.get_json(silent=True)
        if isinstance(data, dict) and isinstance(data.get("text"), str):
            return data["text"]
        return None

    @app.post("/notes")
    def create_note():
        text = text_from_body()
        if text is None:
            return jsonify(error="the body must be an object with a string 'text'"), 422
        note = {"id": next(ids), "text": text}
        entry = notes[note["id"]] = {"note": note, "modified": clock()}
        response = with_validators(jsonify(note), entry)
        response.status_code = 201
        response.headers["Location"] = f"/notes/{note['id']}"
        return response

    @app.get("/notes/<int:note_id>")
    def get_note(note_id):
        entry = notes.get(note_id)
        if entry is None:
            return jsonify(error="no such note"), 404
        etag = etag_of(entry["note"])
        inm = request.headers.get("If-None-Match")
        ims = request.headers.get("If-Modified-Since")
        if inm is not None:
            fresh = matches_weakly(inm, etag)
        elif ims is not None:
            since = parse_http_date(ims)
            # Last-Modified has whole seconds, so compare the truncated time.
            fresh = since is not None and int(entry["modified"]) <= since
        else:
            fresh = False
        response = app.response_class(status=304) if fresh else jsonify(entry["note"])
        response.headers["Cache-Control"] = CACHE_CONTROL
        return with_validators(response, entry)

    @app.put("/notes/<int:note_id>")
    def replace_note(note_id):
        entry = notes.get(note_id)
        if entry is None:
            return jsonify(error="no such note"), 404
        if_match = request.headers.get("If-Match")
        if if_match is not None and not matches_strongly(if_match, etag_of(entry["note"])):
            return jsonify(error="the note changed since you read it"), 412
        text = text_from_body()
        if text is None:
            return jsonify(error="the body must be an object with a string 'text'"), 422
        entry["note"] = {**entry["note"], "text": text}
        entry["modified"] = clock()
        return with_validators(jsonify(entry["note"]), entry)

    return app

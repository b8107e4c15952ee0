import itertools
import re
import time
import uuid

from flask import Flask, g, jsonify, request

app = Flask(__name__)

TEARDOWN_LOG = []  # one dict per finished request, appended by the teardown hook
OPENED = []  # every FakeConnection ever opened, so tests can check they were closed
_ids = itertools.count(1)


class FakeConnection:
    """Stands in for a database connection: cheap to open, must always be closed."""

    def __init__(self):
        self.id = next(_ids)
        self.closed = False
        OPENED.append(self)

    def close(self):
        self.closed = True


def get_connection():
    """TODO: the request's connection, opened on first use and reused until teardown."""
    return FakeConnection()


# TODO: before_request, after_request and teardown_request hooks


@app.get("/whoami")
def whoami():
    return jsonify({"request_id": g.get("request_id")})


@app.get("/db")
def use_db():
    first = get_connection()
    second = get_connection()
    return jsonify({"same_connection": first is second, "connection_id": first.id})


@app.get("/slow")
def slow():
    time.sleep(0.02)
    return jsonify({"slept_ms": 20})


@app.get("/fail")
def fail():
    get_connection()
    raise RuntimeError("the view failed")

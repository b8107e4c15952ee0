import itertools
import re
import time
import uuid

from flask import Flask, g, jsonify, request

app = Flask(__name__)

VALID_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
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
    """The request's connection, opened on first use and reused until teardown."""
    if "connection" not in g:
        g.connection = FakeConnection()
    return g.connection


@app.before_request
def start_request():
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if VALID_ID.fullmatch(incoming) else uuid.uuid4().hex
    g.started = time.perf_counter()


@app.after_request
def add_headers(response):
    elapsed_ms = (time.perf_counter() - g.started) * 1000
    response.headers["X-Request-ID"] = g.request_id
    response.headers["X-Response-Time-Ms"] = f"{elapsed_ms:.3f}"
    return response


@app.teardown_request
def finish_request(error):
    # Runs for every request, even when the view raised; must never raise itself.
    get_connection().close()
    TEARDOWN_LOG.append({
        "request_id": g.get("request_id"),
        "error": type(error).__name__ if error is not None else None,
    })


@app.get("/whoami")
def whoami():
    return jsonify({"request_id": g.request_id})


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

import time

from flask import Flask, jsonify, request


def create_app(clock=None, capacity=5, refill_per_second=1.0):
    clock = clock or time.monotonic
    app = Flask(__name__)

    @app.before_request
    def rate_limit():
        # TODO: one token bucket per X-API-Key; 401 without a key, 429 when empty
        return None

    @app.get("/api/ping")
    def ping():
        return jsonify(pong=True)

    @app.get("/api/echo")
    def echo():
        return jsonify(msg=request.args.get("msg", ""))

    @app.get("/health")
    def health():
        return jsonify(status="ok")

    return app

import math
import time

from flask import Flask, g, jsonify, request


class Window:
    """Counts requests in fixed windows of capacity / rate seconds."""

    def __init__(self, capacity, rate, now):
        self.capacity = capacity
        self.length = capacity / rate
        self.start = now
        self.used = 0

    def take(self, now):
        if now - self.start >= self.length:
            self.start = now
            self.used = 0
        if self.used < self.capacity:
            self.used += 1
            return True
        return False

    @property
    def tokens(self):
        return self.capacity - self.used

    def retry_after(self, now):
        return max(1, math.ceil(self.start + self.length - now))


def create_app(clock=None, capacity=5, refill_per_second=1.0):
    if type(capacity) is not int or capacity < 1:
        raise ValueError("capacity must be an int >= 1")
    if isinstance(refill_per_second, bool) or not isinstance(refill_per_second, (int, float)) \
            or not refill_per_second > 0:
        raise ValueError("refill_per_second must be a number > 0")
    clock = clock or time.monotonic
    app = Flask(__name__)
    windows = {}

    @app.before_request
    def rate_limit():
        if not request.path.startswith("/api/"):
            return None
        key = request.headers.get("X-API-Key", "")
        if not key:
            return jsonify(error="missing X-API-Key header"), 401
        now = clock()
        window = windows.get(key)
        if window is None:
            window = windows[key] = Window(capacity, refill_per_second, now)
        g.window = window
        if not window.take(now):
            response = jsonify(error="rate limit exceeded")
            response.status_code = 429
            response.headers["Retry-After"] = str(window.retry_after(now))
            return response
        return None

    @app.after_request
    def rate_headers(response):
        window = g.get("window")
        if window is not None:
            response.headers["X-RateLimit-Limit"] = str(capacity)
            response.headers["X-RateLimit-Remaining"] = str(window.tokens)
        return response

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

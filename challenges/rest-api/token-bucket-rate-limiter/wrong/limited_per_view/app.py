import math
import time

from flask import Flask, g, jsonify, request


class TokenBucket:
    """`capacity` tokens at most, refilled continuously at `rate` tokens per second."""

    def __init__(self, capacity, rate, now):
        self.capacity = capacity
        self.rate = rate
        self.tokens = float(capacity)  # a new key starts with a full bucket
        self.updated = now

    def take(self, now):
        """Spend one token if there is one; return True when the request may go on."""
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False  # a refused request costs nothing

    def retry_after(self):
        """Whole seconds until one token is available again (at least 1)."""
        return max(1, math.ceil((1 - self.tokens) / self.rate))


def create_app(clock=None, capacity=5, refill_per_second=1.0):
    if type(capacity) is not int or capacity < 1:
        raise ValueError("capacity must be an int >= 1")
    if isinstance(refill_per_second, bool) or not isinstance(refill_per_second, (int, float)) \
            or not refill_per_second > 0:
        raise ValueError("refill_per_second must be a number > 0")
    clock = clock or time.monotonic
    app = Flask(__name__)
    buckets = {}  # API key -> TokenBucket

    def rate_limit():
        key = request.headers.get("X-API-Key", "")
        if not key:
            return jsonify(error="missing X-API-Key header"), 401
        now = clock()
        bucket = buckets.get(key)
        if bucket is None:
            bucket = buckets[key] = TokenBucket(capacity, refill_per_second, now)
        g.bucket = bucket
        if not bucket.take(now):
            response = jsonify(error="rate limit exceeded")
            response.status_code = 429
            response.headers["Retry-After"] = str(bucket.retry_after())
            return response
        return None

    @app.after_request
    def rate_headers(response):
        bucket = g.get("bucket")
        if bucket is not None:
            response.headers["X-RateLimit-Limit"] = str(capacity)
            response.headers["X-RateLimit-Remaining"] = str(math.floor(bucket.tokens))
        return response

    @app.get("/api/ping")
    def ping():
        return rate_limit() or jsonify(pong=True)

    @app.get("/api/echo")
    def echo():
        return rate_limit() or jsonify(msg=request.args.get("msg", ""))

    @app.get("/health")
    def health():
        return jsonify(status="ok")

    return app

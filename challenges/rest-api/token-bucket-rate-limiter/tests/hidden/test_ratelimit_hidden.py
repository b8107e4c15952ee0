import pytest
from app import create_app
from judge import http_client


class Clock:
    """A hand-moved clock that counts how often the app reads it."""

    def __init__(self, now=1000.0):
        self.now = now
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return self.now


def key(name="k1"):
    return {"X-API-Key": name}


def make(capacity, rate, clock=None):
    clock = clock or Clock()
    return clock, http_client(create_app(clock=clock, capacity=capacity, refill_per_second=rate))


def status(client, name="k1", path="/api/ping"):
    return client.get(path, headers=key(name)).status_code


def test_burst_then_429_with_json_and_retry_after():
    """capacity requests pass at once, the next is 429 with a JSON error and Retry-After"""
    clock, client = make(3, 1.0)
    for _ in range(3):
        r = client.get("/api/ping", headers=key())
        assert r.status_code == 200
        assert r.json == {"pong": True}
    r = client.get("/api/ping", headers=key())
    assert r.status_code == 429
    assert type(r.json["error"]) is str
    assert r.headers.get("Retry-After") == "1"
    assert clock.calls > 0, "the injected clock must be used"


def test_rate_limit_headers_count_down():
    """X-RateLimit-Limit is the capacity; Remaining is the whole tokens left, also on 429"""
    clock, client = make(3, 1.0)
    seen = []
    for _ in range(4):
        r = client.get("/api/echo?msg=hi", headers=key())
        seen.append((r.status_code, r.headers.get("X-RateLimit-Limit"),
                     r.headers.get("X-RateLimit-Remaining")))
    assert seen == [(200, "3", "2"), (200, "3", "1"), (200, "3", "0"), (429, "3", "0")]
    clock.now += 1.5  # 1.5 tokens back; one is spent, 0.5 left -> "0"
    r = client.get("/api/ping", headers=key())
    assert r.status_code == 200
    assert r.headers.get("X-RateLimit-Remaining") == "0"


def test_tokens_refill_continuously():
    """Tokens come back gradually at the refill rate, not all at once after a window"""
    clock, client = make(2, 0.5)
    assert [status(client) for _ in range(3)] == [200, 200, 429]
    clock.now += 1.0
    r = client.get("/api/ping", headers=key())
    assert r.status_code == 429
    assert r.headers.get("Retry-After") == "1"
    clock.now += 1.0
    assert status(client) == 200
    assert status(client) == 429
    clock.now += 2.0
    assert status(client) == 200


@pytest.mark.parametrize("elapsed,expected", [(0.0, "4"), (2.5, "2"), (3.5, "1"), (3.9, "1")])
def test_retry_after_is_rounded_up(elapsed, expected):
    """Retry-After is the wait for one whole token, rounded up to whole seconds"""
    clock, client = make(1, 0.25)
    assert status(client) == 200
    clock.now += elapsed
    r = client.get("/api/ping", headers=key())
    assert r.status_code == 429
    assert r.headers.get("Retry-After") == expected


def test_refused_requests_cost_nothing():
    """Requests answered 429 do not spend tokens or delay the refill"""
    clock, client = make(1, 1.0)
    assert status(client) == 200
    clock.now += 0.5
    assert [status(client) for _ in range(5)] == [429] * 5
    clock.now += 0.5
    assert status(client) == 200


def test_refill_is_capped_at_capacity():
    """A long idle period refills the bucket only up to its capacity"""
    clock, client = make(2, 1.0)
    assert status(client) == 200
    clock.now += 100.0
    assert [status(client) for _ in range(3)] == [200, 200, 429]


def test_each_key_has_its_own_bucket():
    """Exhausting one key leaves other keys with full buckets"""
    clock, client = make(2, 1.0)
    assert [status(client, "alice") for _ in range(3)] == [200, 200, 429]
    r = client.get("/api/ping", headers=key("bob"))
    assert r.status_code == 200
    assert r.headers.get("X-RateLimit-Remaining") == "1"
    assert status(client, "alice") == 429
    other_app = http_client(create_app(clock=clock, capacity=2, refill_per_second=1.0))
    assert status(other_app, "alice") == 200


def test_missing_key_is_401_and_uses_no_tokens():
    """No or empty X-API-Key is 401 with a JSON error, and spends nothing"""
    clock, client = make(1, 1.0)
    for headers in ({}, {"X-API-Key": ""}):
        r = client.get("/api/ping", headers=headers)
        assert r.status_code == 401
        assert type(r.json["error"]) is str
    assert status(client, "") == 401
    assert status(client, "k1") == 200


def test_every_api_path_is_limited_even_unknown_ones():
    """The limiter covers all /api/ paths, sharing one bucket per key, 404s included"""
    clock, client = make(3, 1.0)
    assert status(client, path="/api/does-not-exist") == 404
    r = client.get("/api/echo?msg=x", headers=key())
    assert r.status_code == 200
    assert r.json == {"msg": "x"}
    assert status(client, path="/api/ping") == 200
    assert status(client, path="/api/echo") == 429
    assert status(client, path="/api/does-not-exist") == 429


def test_health_is_never_limited():
    """/health needs no key, is never refused and carries no rate-limit headers"""
    clock, client = make(1, 1.0)
    assert status(client) == 200
    for _ in range(5):
        r = client.get("/health")
        assert r.status_code == 200
        assert r.json == {"status": "ok"}
        assert "X-RateLimit-Remaining" not in r.headers


@pytest.mark.parametrize("kwargs", [
    {"capacity": 0}, {"capacity": -2}, {"capacity": 2.5}, {"capacity": True},
    {"refill_per_second": 0}, {"refill_per_second": -1.0}, {"refill_per_second": "1"},
])
def test_bad_settings_raise_value_error(kwargs):
    """create_app refuses a capacity that is not an int >= 1 or a refill rate <= 0"""
    with pytest.raises(ValueError):
        create_app(clock=Clock(), **kwargs)
    # The smallest valid settings are accepted and give a working limiter.
    clock, client = make(1, 0.5)
    assert [status(client) for _ in range(2)] == [200, 429]


def test_default_clock_and_settings_work():
    """Without arguments the app uses a real clock, capacity 5 and 1 token per second"""
    client = http_client(create_app())
    r = client.get("/api/ping", headers=key())
    assert r.status_code == 200
    assert r.headers.get("X-RateLimit-Limit") == "5"
    assert r.headers.get("X-RateLimit-Remaining") == "4"

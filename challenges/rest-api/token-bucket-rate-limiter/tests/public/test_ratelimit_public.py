from app import create_app
from judge import http_client


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


KEY = {"X-API-Key": "k1"}


def test_burst_up_to_capacity_then_429():
    client = http_client(create_app(clock=Clock(), capacity=3, refill_per_second=1.0))
    for _ in range(3):
        assert client.get("/api/ping", headers=KEY).status_code == 200
    r = client.get("/api/ping", headers=KEY)
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "1"


def test_missing_key_is_401():
    client = http_client(create_app(clock=Clock()))
    assert client.get("/api/ping").status_code == 401


def test_health_is_not_limited():
    client = http_client(create_app(clock=Clock(), capacity=1))
    for _ in range(5):
        assert client.get("/health").status_code == 200

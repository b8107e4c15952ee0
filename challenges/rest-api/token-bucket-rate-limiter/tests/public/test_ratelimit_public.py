from app import create_app


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


KEY = {"X-API-Key": "k1"}


def test_burst_up_to_capacity_then_429():
    client = create_app(clock=Clock(), capacity=3, refill_per_second=1.0).test_client()
    for _ in range(3):
        assert client.get("/api/ping", headers=KEY).status_code == 200
    r = client.get("/api/ping", headers=KEY)
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "1"


def test_missing_key_is_401():
    client = create_app(clock=Clock()).test_client()
    assert client.get("/api/ping").status_code == 401


def test_health_is_not_limited():
    client = create_app(clock=Clock(), capacity=1).test_client()
    for _ in range(5):
        assert client.get("/health").status_code == 200

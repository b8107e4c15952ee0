from app import create_app
from config import TestingConfig
from judge import http_client


def test_blueprint_is_under_the_prefix():
    app = create_app()
    client = http_client(app)
    assert client.get("/api/ping").get_json() == {"pong": True}
    assert client.get("/api/hello").get_json() == {"message": "Hello"}


def test_testing_config():
    app = create_app(TestingConfig)
    assert app.testing is True
    assert http_client(app).get("/api/hello").get_json() == {"message": "Hello, tester"}


def test_stats_count_requests():
    app = create_app()
    client = http_client(app)
    client.get("/api/ping")
    client.get("/api/ping")
    assert client.get("/api/stats").get_json() == {"hits": {"api.ping": 2, "api.stats": 1}}

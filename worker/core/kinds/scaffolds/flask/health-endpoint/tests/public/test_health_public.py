from app import app
from judge import http_client


def test_health():
    assert http_client(app).get("/health").status_code == 200

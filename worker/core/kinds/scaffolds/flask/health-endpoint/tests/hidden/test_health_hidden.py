from app import app
from judge import http_client


def test_body_is_json():
    """The body is the JSON object {"status": "ok"}"""
    response = http_client(app).get("/health")
    assert response.is_json and response.get_json() == {"status": "ok"}

def test_post_is_405():
    """POST /health is refused with 405, and GET still works"""
    client = http_client(app)
    assert client.post("/health").status_code == 405
    assert client.get("/health").status_code == 200

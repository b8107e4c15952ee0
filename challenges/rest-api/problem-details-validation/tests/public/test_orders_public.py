import pytest
from app import create_app
from judge import http_client

ORDER = {"customer_id": 7, "items": [{"sku": "AB-1", "quantity": 2}]}


@pytest.fixture
def client():
    app = create_app()
    return http_client(app)


def test_valid_order_is_created(client):
    r = client.post("/orders", json=ORDER)
    assert r.status_code == 201
    assert r.headers["Location"].endswith("/orders/1")
    assert r.json == {**ORDER, "id": 1, "note": None, "express": False}


def test_invalid_order_is_a_422_problem(client):
    r = client.post("/orders", json={"customer_id": 0, "items": ORDER["items"]})
    assert r.status_code == 422
    assert r.mimetype == "application/problem+json"
    assert r.json["status"] == 422
    assert r.json["type"] == "/problems/validation-error"
    assert [p["name"] for p in r.json["invalid-params"]] == ["customer_id"]


def test_malformed_body_is_a_400_problem(client):
    r = client.post("/orders", data="{oops", content_type="application/json")
    assert r.status_code == 400
    assert r.mimetype == "application/problem+json"
    assert r.json["type"] == "/problems/malformed-request"

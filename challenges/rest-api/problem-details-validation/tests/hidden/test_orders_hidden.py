import json

import pytest
from app import create_app
from judge import http_client

ITEM = {"sku": "AB-1", "quantity": 2}
ORDER = {"customer_id": 7, "items": [ITEM]}


@pytest.fixture
def app():
    return create_app()


@pytest.fixture
def client(app):
    return http_client(app)


def problem_of(r, status):
    """Check the problem+json shape and member types; return the body."""
    assert r.status_code == status
    assert r.mimetype == "application/problem+json"
    body = json.loads(r.get_data(as_text=True))
    assert type(body) is dict
    assert type(body["type"]) is str and body["type"]
    assert type(body["title"]) is str and body["title"]
    assert type(body["status"]) is int and body["status"] == status
    assert type(body["detail"]) is str and body["detail"]
    return body


def invalid_names(client, payload):
    body = problem_of(client.post("/orders", json=payload), 422)
    assert body["type"] == "/problems/validation-error"
    params = body["invalid-params"]
    assert type(params) is list
    for entry in params:
        assert type(entry) is dict
        assert type(entry["name"]) is str
        assert type(entry["reason"]) is str and entry["reason"]
    names = [p["name"] for p in params]
    assert len(names) == len(set(names)), "each invalid name is reported once"
    return set(names)


def test_valid_order_is_created_with_defaults(client):
    """A valid order is 201 with Location, JSON body, int id, null note and false express"""
    r = client.post("/orders", json=ORDER)
    assert r.status_code == 201
    assert r.mimetype == "application/json"
    assert r.headers.get("Location", "").endswith("/orders/1")
    body = r.json
    assert type(body["id"]) is int
    assert body["express"] is False
    assert body == {"id": 1, "customer_id": 7, "items": [ITEM], "note": None, "express": False}
    full = {**ORDER, "note": "x" * 200, "express": True}
    r = client.post("/orders", json=full)
    assert r.status_code == 201
    assert r.json == {**full, "id": 2}
    assert client.get("/orders/2").json == {**full, "id": 2}


@pytest.mark.parametrize("kwargs", [
    {"data": "{oops", "content_type": "application/json"},
    {"json": [ORDER]},
    {"data": "null", "content_type": "application/json"},
    {"data": "customer_id=7", "content_type": "application/x-www-form-urlencoded"},
    {},
])
def test_body_that_is_not_an_object_is_a_400_problem(client, kwargs):
    """Malformed JSON, a non-object, a form post or no body is a 400 problem, not a crash"""
    body = problem_of(client.post("/orders", **kwargs), 400)
    assert body["type"] == "/problems/malformed-request"
    assert "invalid-params" not in body


def test_reports_every_invalid_field_at_once(client):
    """All invalid fields are listed in invalid-params, not just the first one"""
    names = invalid_names(client, {"customer_id": -3, "items": "AB-1", "note": 5,
                                   "express": "yes"})
    assert names == {"customer_id", "items", "note", "express"}
    assert invalid_names(client, {}) == {"customer_id", "items"}


@pytest.mark.parametrize("payload,name", [
    ({"customer_id": True, "items": [ITEM]}, "customer_id"),
    ({"customer_id": 7, "items": [{"sku": "A", "quantity": True}]}, "items[0].quantity"),
    ({"customer_id": 7.0, "items": [ITEM]}, "customer_id"),
    ({**ORDER, "express": 1}, "express"),
    ({**ORDER, "express": None}, "express"),
    ({**ORDER, "note": None}, "note"),
])
def test_booleans_integers_and_nulls_are_kept_apart(client, payload, name):
    """true is not an integer, 1 is not a boolean, 7.0 is not an int and null is never valid"""
    assert invalid_names(client, payload) == {name}


def test_unknown_fields_are_rejected(client):
    """Unknown keys are errors at the top level and inside items, named by their path"""
    payload = {**ORDER, "coupon": "SAVE10",
               "items": [{**ITEM, "colour": "red"}, ITEM]}
    assert invalid_names(client, payload) == {"coupon", "items[0].colour"}


def test_item_errors_are_named_by_index(client):
    """Problems inside the list are items[i].field, and a non-object entry is items[i]"""
    payload = {"customer_id": 7, "items": [
        {"sku": "A", "quantity": 0},
        5,
        {"quantity": 2},
        {"sku": "", "quantity": 100},
        {"sku": "S" * 33, "quantity": "3"},
        {"sku": "S" * 32, "quantity": 99},
    ]}
    assert invalid_names(client, payload) == {
        "items[0].quantity", "items[1]", "items[2].sku",
        "items[3].sku", "items[3].quantity", "items[4].sku", "items[4].quantity",
    }


@pytest.mark.parametrize("items", [[], {"sku": "A", "quantity": 1}, [ITEM] * 21, None])
def test_items_must_be_a_list_of_one_to_twenty(client, items):
    """An empty, non-list, null or 21-entry items is reported as items only"""
    assert invalid_names(client, {"customer_id": 7, "items": items}) == {"items"}
    r = client.post("/orders", json={"customer_id": 7, "items": [ITEM] * 20})
    assert r.status_code == 201


def test_a_failed_request_stores_nothing(client):
    """A rejected order is not stored and does not use up an id"""
    problem_of(client.post("/orders", json={**ORDER, "note": "n" * 201}), 422)
    problem_of(client.get("/orders/1"), 404)
    r = client.post("/orders", json=ORDER)
    assert r.status_code == 201
    assert r.json["id"] == 1


def test_routing_errors_are_problems(client):
    """Unknown URLs are 404 and unsupported methods 405 (with Allow), both problem+json"""
    body = problem_of(client.get("/no/such/place"), 404)
    assert body["type"] == "about:blank"
    assert body["title"] == "Not Found"
    r = client.delete("/orders")
    body = problem_of(r, 405)
    assert body["title"] == "Method Not Allowed"
    assert "POST" in r.headers.get("Allow", "")


def test_crash_is_a_500_problem_without_internals(app):
    """An unexpected exception is a 500 problem that reveals no message, class or traceback"""
    @app.get("/explode")
    def explode():
        raise RuntimeError("password=hunter2 at /srv/app/db.py")

    body = problem_of(http_client(app).get("/explode"), 500)
    assert body["type"] == "about:blank"
    assert body["title"] == "Internal Server Error"
    text = json.dumps(body)
    for secret in ("hunter2", "db.py", "RuntimeError", "Traceback"):
        assert secret not in text

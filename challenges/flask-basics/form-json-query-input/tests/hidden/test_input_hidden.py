import pytest
from app import app
from judge import http_client


def get_products(query=""):
    return http_client(app).get("/products" + query)


def test_products_defaults():
    """No arguments: page 1, 10 per page, total 23, integer fields"""
    response = get_products()
    assert response.status_code == 200
    body = response.get_json()
    for key in ("page", "per_page", "total"):
        assert type(body[key]) is int
    assert (body["page"], body["per_page"], body["total"]) == (1, 10, 23)
    assert [p["id"] for p in body["items"]] == list(range(1, 11))
    assert body["items"][0] == {"id": 1, "name": "Red mug"}


@pytest.mark.parametrize(
    "query, ids",
    [
        ("?page=3", [21, 22, 23]),
        ("?page=2&per_page=5", [6, 7, 8, 9, 10]),
        ("?page=4", []),
        ("?per_page=50", list(range(1, 24))),
        ("?page=23&per_page=1", [23]),
        ("?per_page=1", [1]),
    ],
)
def test_products_pages(query, ids):
    """page and per_page select the right slice, including both ends of the per_page range"""
    response = get_products(query)
    assert response.status_code == 200
    body = response.get_json()
    assert [p["id"] for p in body["items"]] == ids
    assert body["total"] == 23


@pytest.mark.parametrize(
    "query, total, ids",
    [
        ("?q=MUG", 3, [1, 2, 3]),
        ("?q=mill", 2, [18, 19]),
        ("?q=e&per_page=4&page=2", 17, [5, 6, 7, 8]),
        ("?q=nothing", 0, []),
    ],
)
def test_products_search(query, total, ids):
    """q filters names ignoring case; total counts all matches, items only the page"""
    body = get_products(query).get_json()
    assert body["total"] == total
    assert [p["id"] for p in body["items"]] == ids


@pytest.mark.parametrize(
    "query, field",
    [
        ("?page=abc", "page"), ("?page=1.5", "page"), ("?page=", "page"),
        ("?page=0", "page"), ("?page=-1", "page"), ("?per_page=0", "per_page"),
        ("?per_page=51", "per_page"), ("?per_page=ten", "per_page"),
        ("?page=x&per_page=x", "page"),
    ],
)
def test_invalid_query_arguments_are_400(query, field):
    """A present but invalid or out-of-range argument is a JSON 400 naming it, not the default"""
    response = get_products(query)
    assert response.status_code == 400
    assert response.is_json
    assert response.get_json() == {"error": "invalid query parameter", "field": field}


def test_json_order_is_stripped_and_typed():
    """A JSON order is 201 with the stripped item, an int quantity and source json"""
    response = http_client(app).post("/orders", json={"item": "  Egg cup ", "quantity": 3,
                                                      "note": "ignored"})
    assert response.status_code == 201
    body = response.get_json()
    assert type(body["quantity"]) is int
    assert body == {"item": "Egg cup", "quantity": 3, "source": "json", "client": "anonymous"}


@pytest.mark.parametrize("content_type", [None, "multipart/form-data"])
def test_form_orders(content_type):
    """Urlencoded and multipart forms work; the text quantity becomes an int, default 1"""
    client = http_client(app)
    extra = {"content_type": content_type} if content_type else {}
    response = client.post("/orders", data={"item": "Whisk ", "quantity": "7"}, **extra)
    assert response.status_code == 201
    body = response.get_json()
    assert type(body["quantity"]) is int
    assert body == {"item": "Whisk", "quantity": 7, "source": "form", "client": "anonymous"}
    default = client.post("/orders", data={"item": "Timer"}, **extra).get_json()
    assert type(default["quantity"]) is int and default["quantity"] == 1


@pytest.mark.parametrize("body", ["{bad json", "", "null"])
def test_malformed_json_is_a_json_400(body):
    """A JSON request whose body does not parse (or is null) is 400 {"error": "malformed JSON"}"""
    response = http_client(app).post("/orders", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.is_json
    assert response.get_json() == {"error": "malformed JSON"}


@pytest.mark.parametrize("payload", [["Teapot"], 5, "Teapot"])
def test_json_that_is_not_an_object_is_400(payload):
    """Valid JSON that is not an object is 400 {"error": "expected a JSON object"}"""
    response = http_client(app).post("/orders", json=payload)
    assert response.status_code == 400
    assert response.get_json() == {"error": "expected a JSON object"}


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"data": '{"item": "Teapot"}', "content_type": "text/plain"},
     {"data": "item=Teapot", "content_type": "application/octet-stream"}],
)
def test_other_content_types_are_415(kwargs):
    """No body, text/plain (even holding JSON) and other types are a JSON 415"""
    response = http_client(app).post("/orders", **kwargs)
    assert response.status_code == 415
    assert response.get_json() == {"error": "unsupported media type"}


@pytest.mark.parametrize(
    "source, payload, field",
    [
        ("json", {"quantity": 2}, "item"),
        ("json", {"item": "   "}, "item"),
        ("json", {"item": 5}, "item"),
        ("json", {"item": "Mug", "quantity": True}, "quantity"),
        ("json", {"item": "Mug", "quantity": 2.0}, "quantity"),
        ("json", {"item": "Mug", "quantity": "2"}, "quantity"),
        ("json", {"item": "Mug", "quantity": None}, "quantity"),
        ("json", {"item": "Mug", "quantity": 0}, "quantity"),
        ("json", {"item": "Mug", "quantity": 101}, "quantity"),
        ("json", {"item": "", "quantity": "x"}, "item"),
        ("form", {"quantity": "2"}, "item"),
        ("form", {"item": " "}, "item"),
        ("form", {"item": "Mug", "quantity": "3.5"}, "quantity"),
        ("form", {"item": "Mug", "quantity": "three"}, "quantity"),
        ("form", {"item": "Mug", "quantity": ""}, "quantity"),
        ("form", {"item": "Mug", "quantity": "101"}, "quantity"),
    ],
)
def test_invalid_fields_are_400(source, payload, field):
    """The first invalid field (item before quantity) is a JSON 400 naming it"""
    client = http_client(app)
    if source == "json":
        response = client.post("/orders", json=payload)
    else:
        response = client.post("/orders", data=payload)
    assert response.status_code == 400
    assert response.get_json() == {"error": "invalid field", "field": field}


@pytest.mark.parametrize("name", ["X-Client", "x-client", "X-CLIENT"])
def test_client_header_is_echoed(name):
    """The X-Client header, in any case, is echoed as client for JSON and form orders"""
    client = http_client(app)
    as_json = client.post("/orders", json={"item": "Mug"}, headers={name: "cli/1.0"})
    as_form = client.post("/orders", data={"item": "Mug"}, headers={name: "web"})
    assert as_json.get_json()["client"] == "cli/1.0"
    assert as_form.get_json()["client"] == "web"

import pytest
from app import create_app
from judge import http_client

PRODUCTS = [
    {"id": n, "name": f"Product {n:02d}", "category": "tools", "price": 100 * n}
    for n in range(1, 13)
]


@pytest.fixture
def client():
    return http_client(create_app(PRODUCTS))


def test_default_page(client):
    r = client.get("/products")
    assert r.status_code == 200
    assert [p["id"] for p in r.json["items"]] == list(range(1, 11))
    assert r.json["total"] == 12
    assert r.headers["X-Total-Count"] == "12"


def test_limit_and_offset(client):
    r = client.get("/products?limit=3&offset=4")
    assert [p["id"] for p in r.json["items"]] == [5, 6, 7]
    assert (r.json["limit"], r.json["offset"]) == (3, 4)


def test_next_link_on_first_page(client):
    r = client.get("/products?limit=5")
    assert 'rel="next"' in r.headers["Link"]
    assert 'rel="prev"' not in r.headers["Link"]

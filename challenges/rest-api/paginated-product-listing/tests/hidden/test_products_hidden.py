import re
from urllib.parse import parse_qs, urlsplit

import pytest
from app import create_app
from judge import by_reference, http_client, remote_module, value

ROWS = [
    (1, "Widget", "tools", 500),
    (2, "Anvil", "tools", 2500),
    (3, "Bucket", "home & garden", 700),
    (4, "Chisel", "tools", 500),
    (5, "Doormat", "home & garden", 1200),
    (6, "Easel", "art", 3000),
    (7, "Funnel", "home & garden", 300),
    (8, "Gouge", "tools", 1500),
    (9, "Hammer", "tools", 1500),
    (10, "Inkpad", "art", 300),
    (11, "Jigsaw", "tools", 4000),
    (12, "Kettle", "home & garden", 2500),
]
PRODUCTS = [dict(zip(("id", "name", "category", "price"), row, strict=True)) for row in ROWS]


@pytest.fixture
def client():
    # PRODUCTS reaches the app as a copy, so no test can change it by accident.
    return http_client(create_app(PRODUCTS))


def ids(r):
    assert r.status_code == 200
    items = r.json["items"]
    assert type(items) is list
    return [p["id"] for p in items]


def links(r):
    """rel -> query dict (single values) of each Link URL; checks they point at /products."""
    header = r.headers.get("Link")
    if header is None:
        return {}
    found = {}
    for url, rel in re.findall(r'<([^>]*)>\s*;\s*rel="?([a-z]+)"?', header):
        parts = urlsplit(url)
        assert parts.path.endswith("/products")
        query = parse_qs(parts.query, keep_blank_values=True)
        assert all(len(v) == 1 for v in query.values())
        found[rel] = {k: v[0] for k, v in query.items()}
    return found


def test_default_page_has_typed_body_and_headers(client):
    """Default limit 10, offset 0; total, limit and offset are ints; X-Total-Count is set"""
    r = client.get("/products")
    assert ids(r) == list(range(1, 11))
    body = r.json
    for key in ("total", "limit", "offset"):
        assert type(body[key]) is int
    assert (body["total"], body["limit"], body["offset"]) == (12, 10, 0)
    assert body["items"][0] == PRODUCTS[0]
    assert r.headers.get("X-Total-Count") == "12"
    assert links(r) == {"next": {"limit": "10", "offset": "10"}}


def test_limit_and_offset_select_the_slice(client):
    """limit and offset pick the right rows, also for a short last page"""
    assert ids(client.get("/products?limit=3&offset=4")) == [5, 6, 7]
    assert ids(client.get("/products?offset=10&limit=5")) == [11, 12]
    assert ids(client.get("/products?limit=1")) == [1]


def test_limit_above_maximum_is_clamped():
    """A limit above 100 is clamped to 100 in the page, the body and the links"""
    many = [{"id": n, "name": f"P{n}", "category": "bulk", "price": n} for n in range(1, 131)]
    client = http_client(create_app(many))
    r = client.get("/products?limit=500")
    assert ids(r) == list(range(1, 101))
    assert r.json["limit"] == 100
    assert links(r) == {"next": {"limit": "100", "offset": "100"}}
    r = client.get("/products?limit=100&offset=100")
    assert ids(r) == list(range(101, 131))
    assert links(r) == {"prev": {"limit": "100", "offset": "0"}}


@pytest.mark.parametrize("query", [
    "limit=0", "limit=-1", "limit=ten", "limit=", "limit=2.5", "offset=-1",
    "offset=1.5", "offset=x", "min_price=cheap", "max_price=-5", "sort=colour",
    "sort=-", "sort=", "sort=--price",
])
def test_invalid_parameters_are_400(client, query):
    """Bad limit, offset, price bounds or sort fields are a 400 with an error message"""
    r = client.get(f"/products?{query}")
    assert r.status_code == 400
    assert type(r.json["error"]) is str


def test_filters_combine_and_total_counts_all_matches(client):
    """category, min_price and max_price combine (inclusive); total counts every match"""
    r = client.get("/products?category=tools&min_price=500&max_price=1500&limit=2")
    assert ids(r) == [1, 4]
    assert r.json["total"] == 4
    assert r.headers.get("X-Total-Count") == "4"
    r = client.get("/products?category=Tools")
    assert ids(r) == []
    assert r.json["total"] == 0
    assert links(r) == {}
    assert ids(client.get("/products?category=home+%26+garden")) == [3, 5, 7, 12]


@pytest.mark.parametrize("sort,expected", [
    ("id", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
    ("-id", [12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]),
    ("price", [7, 10, 1, 4, 3, 5, 8, 9, 2, 12, 6, 11]),
    ("-price", [11, 6, 2, 12, 8, 9, 5, 3, 1, 4, 7, 10]),
    ("name", [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 1]),
])
def test_sorting_keeps_ties_in_id_order(client, sort, expected):
    """sort=field / -field orders the rows; equal values stay in ascending id order"""
    assert ids(client.get(f"/products?limit=12&sort={sort}")) == expected


def test_links_on_a_middle_page(client):
    """A middle page links to the next and the previous page with the same limit"""
    r = client.get("/products?limit=4&offset=4")
    assert ids(r) == [5, 6, 7, 8]
    assert links(r) == {"next": {"limit": "4", "offset": "8"},
                        "prev": {"limit": "4", "offset": "0"}}


def test_links_keep_filters_and_sort(client):
    """Link URLs repeat every filter and the sort, URL-encoded, and nothing else"""
    r = client.get("/products?category=home+%26+garden&sort=-price&min_price=0"
                   "&limit=1&offset=1&debug=1")
    assert ids(r) == [5]
    assert r.json["total"] == 4
    kept = {"category": "home & garden", "sort": "-price", "min_price": "0"}
    assert links(r) == {"next": {**kept, "limit": "1", "offset": "2"},
                        "prev": {**kept, "limit": "1", "offset": "0"}}


def test_no_next_link_on_the_exact_last_page(client):
    """No next link when offset + limit equals the total; no Link at all for one page"""
    r = client.get("/products?limit=4&offset=8")
    assert ids(r) == [9, 10, 11, 12]
    assert links(r) == {"prev": {"limit": "4", "offset": "4"}}
    r = client.get("/products?limit=4&offset=7")
    assert links(r)["next"] == {"limit": "4", "offset": "11"}
    r = client.get("/products?limit=12")
    assert "Link" not in r.headers


def test_prev_offset_is_clamped_at_zero(client):
    """prev never has a negative offset when offset is smaller than limit"""
    r = client.get("/products?limit=5&offset=2")
    assert ids(r) == [3, 4, 5, 6, 7]
    assert links(r) == {"next": {"limit": "5", "offset": "7"},
                        "prev": {"limit": "5", "offset": "0"}}


def test_offset_past_the_end_is_an_empty_page(client):
    """An offset beyond the matches is 200 with no items and the full total"""
    r = client.get("/products?offset=50")
    assert ids(r) == []
    assert r.json["total"] == 12
    assert r.json["offset"] == 50
    assert links(r) == {"prev": {"limit": "10", "offset": "40"}}


def test_callers_list_is_neither_changed_nor_shared():
    """The app copies the products: sorting does not reorder them, later edits do not leak"""
    # A list sent from here would reach the app as a copy of its own; build the caller's
    # list and dicts in the app's process instead and keep handles on them, so that the
    # app really gets the caller's objects and the test can look at and change them.
    builtins = remote_module("builtins")
    rows = [by_reference(builtins.dict)(product) for product in PRODUCTS]
    mine = by_reference(builtins.list)(rows)
    client = http_client(create_app(mine))
    client.get("/products?sort=-price")
    client.get("/products?sort=name")
    assert value(mine) == PRODUCTS
    mine.append({"id": 13, "name": "Late", "category": "art", "price": 1})
    rows[0]["price"] = 1
    assert len(mine) == 13 and value(rows[0])["price"] == 1
    r = client.get("/products?limit=20&sort=price")
    assert r.json["total"] == 12
    assert r.json["items"][0]["id"] == 7
    empty = http_client(create_app())
    assert empty.get("/products").json["total"] == 0

import csv
import io
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import pytest
from app import app
from judge import http_client

ALLOWED = ["https://app.example.com", "https://admin.example.com"]
V1_ROWS = [
    ["1", "Rivers, Roads and Rails", "Maren Holt", "12.50"],
    ["2", 'The "Quiet" Harbour', "Tomas Reyes", "8.99"],
    ["3", "Notes on Nothing", "Ada Brook", "20.00"],
    ["4", "Café Society", "Léa Marchand", "15.05"],
]


def get(path, accept=None, origin=None):
    headers = {}
    if accept is not None:
        headers["Accept"] = accept
    if origin is not None:
        headers["Origin"] = origin
    return http_client(app).get(path, headers=headers)


def preflight(path, origin, method="GET", request_headers=None):
    headers = {"Origin": origin, "Access-Control-Request-Method": method}
    if request_headers is not None:
        headers["Access-Control-Request-Headers"] = request_headers
    return http_client(app).open(path, method="OPTIONS", headers=headers)


def tokens(response, name):
    return {part.strip().lower() for part in response.headers.get(name, "").split(",")
            if part.strip()}


def cors_headers(response):
    return [name for name, _ in response.headers if name.lower().startswith("access-control-")]


def csv_rows(response):
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.mimetype_params.get("charset", "").lower() == "utf-8"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_v1_json_shape():
    """/v1/books is a JSON list of {id, title, author, price} with the price as a 2-decimal string"""
    response = get("/v1/books")
    assert response.status_code == 200 and response.mimetype == "application/json"
    books = response.get_json()
    assert type(books) is list
    assert all(type(book["price"]) is str and type(book["id"]) is int for book in books)
    assert books == [{"id": int(r[0]), "title": r[1], "author": r[2], "price": r[3]}
                     for r in V1_ROWS]


def test_v2_json_shape():
    """/v2/books is {"data": [...], "count": n} with nested author and an integer price amount"""
    response = get("/v2/books", accept="application/json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert type(body["count"]) is int and body["count"] == 4
    assert [book["id"] for book in body["data"]] == [1, 2, 3, 4]
    second = body["data"][1]
    assert type(second["price"]["amount"]) is int and type(second["year"]) is int
    assert second == {"id": 2, "title": 'The "Quiet" Harbour',
                      "author": {"first": "Tomas", "last": "Reyes"}, "year": 1998,
                      "price": {"amount": 899, "currency": "EUR"}}
    assert body["data"][3]["author"] == {"first": "Léa", "last": "Marchand"}


@pytest.mark.parametrize(
    "accept, expected",
    [(None, "application/json"), ("", "application/json"), ("*/*", "application/json"),
     ("application/json", "application/json"), ("application/*", "application/json"),
     ("text/csv;q=0.5, application/json", "application/json"),
     ("text/csv, application/json", "application/json"),
     ("text/html, */*;q=0.1", "application/json"),
     ("text/csv", "text/csv"), ("text/*", "text/csv"), ("TEXT/CSV", "text/csv"),
     ("application/json;q=0.5, text/csv", "text/csv"),
     ("application/json;q=0, */*", "text/csv")],
    ids=["no-header", "empty", "any", "json", "application-any", "csv-lower-q",
         "tie-prefers-json", "html-then-any", "csv", "text-any", "csv-upper-case",
         "json-lower-q", "json-refused-any-ok"],
)
@pytest.mark.parametrize("version", ["v1", "v2"])
def test_accept_header_picks_the_format(version, accept, expected):
    """The Accept header (with q-values and wildcards) picks JSON or CSV; no header means JSON"""
    response = get(f"/{version}/books", accept=accept)
    assert response.status_code == 200
    assert response.mimetype == expected


def test_csv_bodies():
    """CSV has a header row, one row per book, proper quoting and UTF-8, in each version's shape"""
    assert csv_rows(get("/v1/books", accept="text/csv")) == [
        ["id", "title", "author", "price"], *V1_ROWS]
    rows = csv_rows(get("/v2/books", accept="text/csv"))
    assert rows[0] == ["id", "title", "author_first", "author_last", "year", "price_amount",
                       "price_currency"]
    assert rows[1:] == [
        ["1", "Rivers, Roads and Rails", "Maren", "Holt", "2011", "1250", "EUR"],
        ["2", 'The "Quiet" Harbour', "Tomas", "Reyes", "1998", "899", "EUR"],
        ["3", "Notes on Nothing", "Ada", "Brook", "2020", "2000", "EUR"],
        ["4", "Café Society", "Léa", "Marchand", "2005", "1505", "EUR"],
    ]


@pytest.mark.parametrize("accept", ["text/html", "application/xml", "application/json;q=0",
                                    "image/*", "text/plain, application/pdf"])
@pytest.mark.parametrize("version", ["v1", "v2"])
def test_unacceptable_types_are_406(version, accept):
    """Nothing acceptable is 406 with a JSON body listing the available types"""
    response = get(f"/{version}/books", accept=accept)
    assert response.status_code == 406
    assert response.get_json() == {"error": "not acceptable",
                                   "available": ["application/json", "text/csv"]}


@pytest.mark.parametrize("accept", [None, "text/csv", "text/html"])
def test_v1_announces_its_deprecation(accept):
    """Every /v1 answer (JSON, CSV, 406) has Deprecation, Sunset and a successor Link"""
    response = get("/v1/books", accept=accept)
    assert response.headers.get("Deprecation") == "@1735689600"
    sunset = parsedate_to_datetime(response.headers["Sunset"])
    assert sunset == datetime(2026, 1, 1, tzinfo=UTC)
    link = response.headers.get("Link", "")
    assert "</v2/books>" in link and 'rel="successor-version"' in link


@pytest.mark.parametrize("accept", [None, "text/csv", "text/html"])
def test_v2_is_not_deprecated(accept):
    """/v2 answers carry no Deprecation, Sunset or Link header"""
    response = get("/v2/books", accept=accept)
    for name in ("Deprecation", "Sunset", "Link"):
        assert name not in response.headers


@pytest.mark.parametrize(
    "path, accept, origin",
    [("/v1/books", None, None), ("/v2/books", "text/csv", None),
     ("/v2/books", "text/html", None), ("/v1/books", None, "https://app.example.com"),
     ("/v2/books", None, "https://evil.example.net")],
    ids=["v1-plain", "v2-csv", "v2-406", "allowed-origin", "other-origin"],
)
def test_vary_names_accept_and_origin(path, accept, origin):
    """Every GET answer, whatever the origin or outcome, has Vary with Accept and Origin"""
    response = get(path, accept=accept, origin=origin)
    assert {"accept", "origin"} <= tokens(response, "Vary")


@pytest.mark.parametrize("origin", ALLOWED)
@pytest.mark.parametrize("version", ["v1", "v2"])
def test_allowed_origins_get_cors_headers(version, origin):
    """An allow-listed Origin is echoed back (never *) and the deprecation headers are exposed"""
    response = get(f"/{version}/books", accept="text/csv", origin=origin)
    assert response.status_code == 200
    assert response.headers.get("Access-Control-Allow-Origin") == origin
    assert {"deprecation", "sunset", "link"} <= tokens(response, "Access-Control-Expose-Headers")
    assert "Access-Control-Allow-Credentials" not in response.headers


@pytest.mark.parametrize(
    "origin",
    ["https://evil.example.net", "https://app.example.com.evil.net", "http://app.example.com",
     "https://example.com", "null", None],
    ids=["other-site", "allowed-as-prefix", "wrong-scheme", "parent-domain", "null", "no-origin"],
)
def test_other_origins_get_no_cors_headers(origin):
    """Other origins (or none) still get the data but no Access-Control-* header at all"""
    response = get("/v2/books", origin=origin)
    assert response.status_code == 200
    assert cors_headers(response) == []


@pytest.mark.parametrize(
    "request_headers", [None, "x-request-id", "Accept, X-Request-Id, content-type"],
    ids=["no-headers", "one-header", "mixed-case-list"])
@pytest.mark.parametrize("version", ["v1", "v2"])
def test_allowed_preflight(version, request_headers):
    """A preflight from an allowed origin for GET is 204 with the origin, methods, headers and max-age"""
    response = preflight(f"/{version}/books", "https://admin.example.com",
                         request_headers=request_headers)
    assert response.status_code == 204
    assert response.get_data() == b""
    assert response.headers.get("Access-Control-Allow-Origin") == "https://admin.example.com"
    assert {m.upper() for m in tokens(response, "Access-Control-Allow-Methods")} == {"GET", "HEAD"}
    assert tokens(response, "Access-Control-Allow-Headers") == {
        "accept", "content-type", "x-request-id"}
    assert response.headers.get("Access-Control-Max-Age") == "600"
    assert "origin" in tokens(response, "Vary")


@pytest.mark.parametrize(
    "origin, method, request_headers",
    [("https://evil.example.net", "GET", None), ("https://app.example.com.evil.net", "GET", None),
     ("https://app.example.com", "DELETE", None), ("https://app.example.com", "POST", None),
     ("https://app.example.com", "GET", "Authorization"),
     ("https://app.example.com", "GET", "X-Request-Id, X-Other")],
    ids=["other-origin", "allowed-as-prefix", "delete", "post", "authorization-header",
         "one-bad-header"],
)
def test_rejected_preflight(origin, method, request_headers):
    """A preflight with a wrong origin, method or header is 403 JSON without any Access-Control-* header"""
    response = preflight("/v2/books", origin, method, request_headers)
    assert response.status_code == 403
    assert response.get_json() == {"error": "CORS preflight rejected"}
    assert cors_headers(response) == []

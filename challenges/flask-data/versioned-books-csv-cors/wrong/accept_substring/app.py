import csv
import io

from flask import Blueprint, Flask, g, jsonify, make_response, request

app = Flask(__name__)

# Read-only data; prices in euro cents.
BOOKS = [
    {"id": 1, "title": "Rivers, Roads and Rails", "author_first": "Maren",
     "author_last": "Holt", "year": 2011, "price_cents": 1250},
    {"id": 2, "title": 'The "Quiet" Harbour', "author_first": "Tomas",
     "author_last": "Reyes", "year": 1998, "price_cents": 899},
    {"id": 3, "title": "Notes on Nothing", "author_first": "Ada",
     "author_last": "Brook", "year": 2020, "price_cents": 2000},
    {"id": 4, "title": "Café Society", "author_first": "Léa",
     "author_last": "Marchand", "year": 2005, "price_cents": 1505},
]

ALLOWED_ORIGINS = {"https://app.example.com", "https://admin.example.com"}
CORS_METHODS = ("GET", "HEAD")
CORS_HEADERS = ("Accept", "Content-Type", "X-Request-Id")
EXPOSED_HEADERS = "Deprecation, Sunset, Link"
MEDIA_TYPES = ["application/json", "text/csv"]

V1_DEPRECATION = "@1735689600"  # 2025-01-01T00:00:00Z
V1_SUNSET = "Thu, 01 Jan 2026 00:00:00 GMT"
V1_SUCCESSOR = '</v2/books>; rel="successor-version"'


def negotiate():
    """The media type to answer with, or None when nothing acceptable is offered."""
    accept = request.headers.get("Accept", "").lower()
    if "text/csv" in accept or "text/*" in accept:
        return "text/csv"
    if not accept or "application/json" in accept or "*/*" in accept or "application/*" in accept:
        return "application/json"
    return None


def not_acceptable():
    return jsonify({"error": "not acceptable", "available": MEDIA_TYPES}), 406


def csv_response(header, rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    response = make_response(out.getvalue())
    response.mimetype = "text/csv"  # Flask adds "; charset=utf-8" for text types
    return response


def euros(cents):
    return f"{cents // 100}.{cents % 100:02d}"


v1 = Blueprint("v1", __name__, url_prefix="/v1")
v2 = Blueprint("v2", __name__, url_prefix="/v2")


@v1.get("/books")
def books_v1():
    media = negotiate()
    if media is None:
        return not_acceptable()
    items = [{"id": b["id"], "title": b["title"],
              "author": f"{b['author_first']} {b['author_last']}",
              "price": euros(b["price_cents"])} for b in BOOKS]
    if media == "text/csv":
        return csv_response(["id", "title", "author", "price"],
                            [[i["id"], i["title"], i["author"], i["price"]] for i in items])
    return jsonify(items)


@v1.after_request
def mark_deprecated(response):
    response.headers["Deprecation"] = V1_DEPRECATION
    response.headers["Sunset"] = V1_SUNSET
    response.headers["Link"] = V1_SUCCESSOR
    return response


@v2.get("/books")
def books_v2():
    media = negotiate()
    if media is None:
        return not_acceptable()
    if media == "text/csv":
        return csv_response(
            ["id", "title", "author_first", "author_last", "year", "price_amount",
             "price_currency"],
            [[b["id"], b["title"], b["author_first"], b["author_last"], b["year"],
              b["price_cents"], "EUR"] for b in BOOKS])
    items = [{"id": b["id"], "title": b["title"],
              "author": {"first": b["author_first"], "last": b["author_last"]},
              "year": b["year"],
              "price": {"amount": b["price_cents"], "currency": "EUR"}} for b in BOOKS]
    return jsonify({"data": items, "count": len(items)})


app.register_blueprint(v1)
app.register_blueprint(v2)

BOOK_ENDPOINTS = {"v1.books_v1", "v2.books_v2"}


def requested_headers():
    raw = request.headers.get("Access-Control-Request-Headers", "")
    return {part.strip().lower() for part in raw.split(",") if part.strip()}


@app.before_request
def preflight():
    if (request.method != "OPTIONS" or request.endpoint not in BOOK_ENDPOINTS
            or "Origin" not in request.headers
            or "Access-Control-Request-Method" not in request.headers):
        return None
    g.preflight = True
    origin = request.headers["Origin"]
    allowed_headers = {h.lower() for h in CORS_HEADERS}
    if (origin not in ALLOWED_ORIGINS
            or request.headers["Access-Control-Request-Method"] not in CORS_METHODS
            or not requested_headers() <= allowed_headers):
        response = jsonify({"error": "CORS preflight rejected"})
        response.status_code = 403
        return response
    response = make_response("", 204)
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Allow-Methods"] = ", ".join(CORS_METHODS)
    response.headers["Access-Control-Allow-Headers"] = ", ".join(CORS_HEADERS)
    response.headers["Access-Control-Max-Age"] = "600"
    return response


@app.after_request
def cors_and_vary(response):
    if request.endpoint not in BOOK_ENDPOINTS:
        return response
    response.vary.add("Origin")
    if g.get("preflight"):
        return response
    response.vary.add("Accept")
    origin = request.headers.get("Origin")
    if origin in ALLOWED_ORIGINS:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    return response

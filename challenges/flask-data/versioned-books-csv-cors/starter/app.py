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


@app.get("/v1/books")
def books_v1():
    return jsonify([{"id": b["id"], "title": b["title"],
                     "author": f"{b['author_first']} {b['author_last']}",
                     "price": b["price_cents"] / 100} for b in BOOKS])


@app.get("/v2/books")
def books_v2():
    return jsonify({"data": BOOKS, "count": len(BOOKS)})


@app.after_request
def cors(response):
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response

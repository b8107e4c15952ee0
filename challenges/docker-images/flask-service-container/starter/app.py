"""Inventory API: GET /api/items lists the items, GET /healthz answers ok."""
import os

from flask import Flask, jsonify

app = Flask(__name__)

ITEMS = [
    {"id": 1, "name": "bolt", "qty": 120},
    {"id": 2, "name": "nut", "qty": 75},
    {"id": 3, "name": "washer", "qty": 0},
]


@app.route("/api/items")
def list_items():
    print(f"listed {len(ITEMS)} items")
    return jsonify(items=ITEMS, count=len(ITEMS))


@app.route("/healthz")
def healthz():
    return jsonify(status="ok")


if __name__ == "__main__":
    host = os.environ.get("BIND_HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    print(f"inventory service starting on {host}:{port}")
    app.run(host=host, port=port)

import itertools
import json

from flask import Flask, request
from werkzeug.exceptions import HTTPException

PROBLEM_TYPE = "application/problem+json"
ORDER_FIELDS = {"customer_id", "items", "note", "express"}
ITEM_FIELDS = {"sku", "quantity"}
MAX_ITEMS = 20
MAX_SKU = 32
MAX_NOTE = 200


def problem(status, title, detail, type_="about:blank", headers=None, **extra):
    """A problem+json response (RFC 9457); `extra` adds extension members."""
    body = {"type": type_, "title": title, "status": status, "detail": detail, **extra}
    headers = dict(headers or {})
    headers["Content-Type"] = PROBLEM_TYPE
    return json.dumps(body), status, headers


def is_int(value):
    return isinstance(value, int)


def check_item(index, item, errors):
    name = f"items[{index}]"
    if not isinstance(item, dict):
        errors.append((name, "must be an object"))
        return
    for key in sorted(set(item) - ITEM_FIELDS):
        errors.append((f"{name}.{key}", "unknown field"))
    sku = item.get("sku")
    if "sku" not in item:
        errors.append((f"{name}.sku", "is required"))
    elif not isinstance(sku, str) or not 1 <= len(sku) <= MAX_SKU:
        errors.append((f"{name}.sku", f"must be a string of 1 to {MAX_SKU} characters"))
    quantity = item.get("quantity")
    if "quantity" not in item:
        errors.append((f"{name}.quantity", "is required"))
    elif not is_int(quantity) or not 1 <= quantity <= 99:
        errors.append((f"{name}.quantity", "must be an integer from 1 to 99"))


def check_order(data):
    """Every problem with the order as (name, reason) pairs; empty when it is valid."""
    errors = []
    for key in sorted(set(data) - ORDER_FIELDS):
        errors.append((key, "unknown field"))
    if "customer_id" not in data:
        errors.append(("customer_id", "is required"))
    elif not is_int(data["customer_id"]) or data["customer_id"] < 1:
        errors.append(("customer_id", "must be a positive integer"))
    items = data.get("items")
    if "items" not in data:
        errors.append(("items", "is required"))
    elif not isinstance(items, list) or not 1 <= len(items) <= MAX_ITEMS:
        errors.append(("items", f"must be a list of 1 to {MAX_ITEMS} items"))
    else:
        for index, item in enumerate(items):
            check_item(index, item, errors)
    if "note" in data and (not isinstance(data["note"], str) or len(data["note"]) > MAX_NOTE):
        errors.append(("note", f"must be a string of at most {MAX_NOTE} characters"))
    if "express" in data and not isinstance(data["express"], bool):
        errors.append(("express", "must be a boolean"))
    return errors


def create_app():
    app = Flask(__name__)
    orders = {}
    ids = itertools.count(1)

    @app.errorhandler(HTTPException)
    def http_problem(exc):
        # Keep the headers Werkzeug prepared (Allow on a 405), replace the HTML body.
        headers = {k: v for k, v in exc.get_response().headers.items()
                   if k.lower() not in ("content-type", "content-length")}
        return problem(exc.code, exc.name, exc.description, headers=headers)

    @app.errorhandler(Exception)
    def unexpected(exc):
        if isinstance(exc, HTTPException):
            return http_problem(exc)
        app.logger.exception("unhandled error")  # the details go to the log only
        return problem(500, "Internal Server Error",
                       "The server could not complete the request.")

    @app.post("/orders")
    def create_order():
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return problem(400, "Malformed request", "The body must be a JSON object.",
                           type_="/problems/malformed-request")
        errors = check_order(data)
        if errors:
            return problem(
                422, "Validation failed",
                f"{len(errors)} invalid parameter(s).",
                type_="/problems/validation-error",
                **{"invalid-params": [{"name": n, "reason": r} for n, r in errors]},
            )
        order = {
            "id": next(ids),
            "customer_id": data["customer_id"],
            "items": [{"sku": i["sku"], "quantity": i["quantity"]} for i in data["items"]],
            "note": data.get("note"),
            "express": data.get("express", False),
        }
        orders[order["id"]] = order
        return json.dumps(order), 201, {"Content-Type": "application/json",
                                        "Location": f"/orders/{order['id']}"}

    @app.get("/orders/<int:order_id>")
    def get_order(order_id):
        if order_id not in orders:
            return problem(404, "Not Found", f"There is no order {order_id}.")
        return json.dumps(orders[order_id]), 200, {"Content-Type": "application/json"}

    return app

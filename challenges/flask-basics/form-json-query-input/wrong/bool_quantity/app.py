from flask import Flask, jsonify, request

app = Flask(__name__)

PRODUCTS = [
    {"id": number, "name": name}
    for number, name in enumerate(
        [
            "Red mug", "Blue mug", "Green mug", "Tea towel", "Teapot", "Tea cosy",
            "Coffee grinder", "Coffee filter", "Milk jug", "Sugar bowl", "Spoon set",
            "Fork set", "Knife block", "Cutting board", "Bread bin", "Butter dish",
            "Egg cup", "Salt mill", "Pepper mill", "Oven glove", "Apron", "Timer",
            "Whisk",
        ],
        start=1,
    )
]

FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def error(status, message, field=None):
    body = {"error": message}
    if field is not None:
        body["field"] = field
    return jsonify(body), status


def int_arg(name, default, low, high=None):
    """The query argument as an int, its default when absent, None when invalid."""
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        return None
    if value < low or (high is not None and value > high):
        return None
    return value


@app.get("/products")
def list_products():
    page = int_arg("page", 1, 1)
    if page is None:
        return error(400, "invalid query parameter", "page")
    per_page = int_arg("per_page", 10, 1, 50)
    if per_page is None:
        return error(400, "invalid query parameter", "per_page")
    needle = request.args.get("q", "").lower()
    matching = [p for p in PRODUCTS if needle in p["name"].lower()]
    start = (page - 1) * per_page
    return jsonify({
        "page": page,
        "per_page": per_page,
        "total": len(matching),
        "items": matching[start:start + per_page],
    })


def read_quantity(value, source):
    """The quantity as an int in 1..100, or None when it is invalid."""
    if source == "json":
        if not isinstance(value, int):
            return None
        quantity = value
    else:
        try:
            quantity = int(value)
        except ValueError:
            return None
    return quantity if 1 <= quantity <= 100 else None


@app.post("/orders")
def create_order():
    if request.is_json:
        source = "json"
        data = request.get_json(silent=True)
        if data is None:
            return error(400, "malformed JSON")
        if not isinstance(data, dict):
            return error(400, "expected a JSON object")
    elif request.mimetype in FORM_TYPES:
        source = "form"
        data = request.form
    else:
        return error(415, "unsupported media type")

    item = data.get("item")
    if not isinstance(item, str) or not item.strip():
        return error(400, "invalid field", "item")
    quantity = 1
    if "quantity" in data:
        quantity = read_quantity(data["quantity"], source)
        if quantity is None:
            return error(400, "invalid field", "quantity")

    return jsonify({
        "item": item.strip(),
        "quantity": quantity,
        "source": source,
        "client": request.headers.get("X-Client", "anonymous"),
    }), 201

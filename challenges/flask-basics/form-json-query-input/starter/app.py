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


@app.get("/products")
def list_products():
    page = request.args.get("page", 1)
    per_page = request.args.get("per_page", 10)
    items = PRODUCTS[page * per_page:(page + 1) * per_page]
    return jsonify({"page": page, "per_page": per_page, "items": items})


@app.post("/orders")
def create_order():
    data = request.get_json()
    return jsonify({"item": data["item"], "quantity": data.get("quantity", 1)})

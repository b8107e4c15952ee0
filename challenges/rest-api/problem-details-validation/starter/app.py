from flask import Flask, jsonify, request


def create_app():
    app = Flask(__name__)
    orders = {}

    @app.post("/orders")
    def create_order():
        data = request.get_json()
        # TODO: validate every field and answer application/problem+json errors
        if "customer_id" not in data:
            return jsonify(error="customer_id is required"), 400
        order = {"id": len(orders) + 1, **data}
        orders[order["id"]] = order
        return jsonify(order), 201

    @app.get("/orders/<int:order_id>")
    def get_order(order_id):
        return jsonify(orders[order_id])

    return app

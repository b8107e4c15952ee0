from flask import Flask, jsonify, request


def create_app(products=None):
    app = Flask(__name__)
    store = products or []

    @app.get("/products")
    def list_products():
        limit = int(request.args.get("limit", 10))
        offset = int(request.args.get("offset", 0))
        page = store[offset:offset + limit]
        # TODO: bounds, filters, sorting, total and the Link header
        return jsonify(items=page, total=len(page))

    return app

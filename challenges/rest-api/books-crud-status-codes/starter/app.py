from flask import Flask, jsonify, request


def create_app():
    app = Flask(__name__)
    books = {}

    @app.route("/books", methods=["GET", "POST", "PUT", "DELETE"])
    def books_collection():
        if request.method == "POST":
            data = request.get_json()
            book = {"id": len(books) + 1, **data}
            books[book["id"]] = book
            return jsonify(book)
        return jsonify(items=list(books.values()))

    @app.route("/books/<int:book_id>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def book_item(book_id):
        # TODO: replace, partial update, delete, and the right status codes
        return jsonify(books.get(book_id))

    return app

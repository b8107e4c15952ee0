import itertools

from flask import Flask, jsonify, request

FIELDS = ("isbn", "title", "year")


def _error(status, message):
    return jsonify(error=message), status


def _field_problem(name, value):
    """Why `value` is not acceptable for field `name`, or None when it is."""
    if name in ("isbn", "title"):
        if not isinstance(value, str) or not value.strip():
            return f"{name} must be a non-blank string"
    elif type(value) is not int:  # year; bool is a subclass of int, so no isinstance
        return "year must be an integer"
    return None


def _check(data, partial):
    """The first problem with the fields of `data`, or None."""
    for name in FIELDS:
        if name not in data:
            if partial:
                continue
            return f"{name} is required"
        problem = _field_problem(name, data[name])
        if problem:
            return problem
    return None


def create_app():
    app = Flask(__name__)
    books = {}  # id -> book; this app's own store
    ids = itertools.count(1)  # never reused, even after a delete

    def json_object():
        data = request.get_json(silent=True)
        return data if isinstance(data, dict) else None

    def isbn_taken(isbn, own_id=None):
        return any(b["isbn"] == isbn and b["id"] != own_id for b in books.values())

    @app.get("/books")
    def list_books():
        return jsonify(items=[books[k] for k in sorted(books)])

    @app.post("/books")
    def create_book():
        data = json_object()
        if data is None:
            return _error(400, "the body must be a JSON object")
        problem = _check(data, partial=False)
        if problem:
            return _error(422, problem)
        if isbn_taken(data["isbn"]):
            return _error(409, "a book with this isbn already exists")
        book = {"id": next(ids), **{name: data[name] for name in FIELDS}}
        books[book["id"]] = book
        response = jsonify(book)
        response.status_code = 201
        response.headers["Location"] = f"/books/{book['id']}"
        return response

    @app.get("/books/<int:book_id>")
    def get_book(book_id):
        if book_id not in books:
            return _error(404, "no such book")
        return jsonify(books[book_id])

    @app.route("/books/<int:book_id>", methods=["PUT", "PATCH"])
    def update_book(book_id):
        if book_id not in books:
            return _error(404, "no such book")
        data = json_object()
        if data is None:
            return _error(400, "the body must be a JSON object")
        partial = request.method == "PATCH"
        problem = _check(data, partial=partial)
        if problem:
            return _error(422, problem)
        if "isbn" in data and isbn_taken(data["isbn"], own_id=book_id):
            return _error(409, "another book has this isbn")
        changes = {name: data[name] for name in FIELDS if name in data}
        books[book_id] = {**books[book_id], **changes}
        return jsonify(books[book_id])

    @app.delete("/books/<int:book_id>")
    def delete_book(book_id):
        if books.pop(book_id, None) is None:
            return _error(404, "no such book")
        return "", 204

    return app

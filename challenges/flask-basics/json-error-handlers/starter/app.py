from flask import Flask, abort, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError

GENERIC_MESSAGE = "an unexpected error occurred"


class ConflictError(Exception):
    """The request clashes with the current state (answered with 409)."""


def create_app():
    app = Flask(__name__)
    users = {}

    @app.get("/users/<int:user_id>")
    def get_user(user_id):
        return jsonify({"id": user_id, "name": users[user_id]})

    @app.post("/users")
    def create_user():
        name = request.get_json()["name"]
        user_id = len(users) + 1
        users[user_id] = name
        return jsonify({"id": user_id, "name": name}), 201

    # TODO: JSON error handlers
    return app

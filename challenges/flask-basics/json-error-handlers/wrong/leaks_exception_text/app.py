from flask import Flask, abort, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError

GENERIC_MESSAGE = "an unexpected error occurred"


class ConflictError(Exception):
    """The request clashes with the current state (answered with 409)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def error_body(status, name, message):
    response = jsonify({"status": status, "error": name, "message": message})
    response.status_code = status
    return response


def register_error_handlers(app):
    @app.errorhandler(HTTPException)
    def http_error(error):
        response = error_body(error.code, error.name, error.description)
        # Keep the headers the exception carries (Allow on 405, WWW-Authenticate on
        # 401...), but not its HTML content type.
        for key, value in error.get_headers():
            if key.lower() != "content-type":
                response.headers[key] = value
        return response

    @app.errorhandler(InternalServerError)
    def server_error(error):
        # Unhandled exceptions arrive here wrapped in InternalServerError; Flask has
        # already logged the traceback, so the client only gets a generic message.
        cause = getattr(error, "original_exception", None) or error
        return error_body(500, "Internal Server Error", f"{GENERIC_MESSAGE}: {cause}")

    @app.errorhandler(ConflictError)
    def conflict(error):
        return error_body(409, "Conflict", error.message)


def create_app():
    app = Flask(__name__)
    users = {}

    @app.get("/users/<int:user_id>")
    def get_user(user_id):
        if user_id not in users:
            abort(404, description=f"user {user_id} not found")
        return jsonify({"id": user_id, "name": users[user_id]})

    @app.post("/users")
    def create_user():
        data = request.get_json(silent=True)
        name = data.get("name") if isinstance(data, dict) else None
        if not isinstance(name, str) or not name:
            abort(400, description="name is required")
        if name in users.values():
            raise ConflictError(f"name already taken: {name}")
        user_id = len(users) + 1
        users[user_id] = name
        return jsonify({"id": user_id, "name": name}), 201

    register_error_handlers(app)
    return app

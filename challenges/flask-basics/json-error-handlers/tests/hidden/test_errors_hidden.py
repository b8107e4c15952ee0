import pytest
from app import ConflictError, create_app
from judge import http_client, remote_module
from werkzeug.http import HTTP_STATUS_CODES

# Flask, werkzeug's exceptions and functools as the candidate's process has them: the
# extra views below raise the candidate's own exception classes.
flask = remote_module("flask")
werkzeug_exceptions = remote_module("werkzeug.exceptions")
functools = remote_module("functools")

GENERIC = {"status": 500, "error": "Internal Server Error",
           "message": "an unexpected error occurred"}


def test_users_round_trip_and_apps_are_independent():
    """Users are created with integer ids from 1 and each create_app() has its own store"""
    app = create_app()
    first = http_client(app)
    created = first.post("/users", json={"name": "ada"})
    assert created.status_code == 201
    body = created.get_json()
    assert type(body["id"]) is int
    assert body == {"id": 1, "name": "ada"}
    assert first.get("/users/1").get_json() == {"id": 1, "name": "ada"}
    other = create_app()
    assert http_client(other).get("/users/1").status_code == 404


def test_unknown_url_is_a_json_404():
    """A URL no route matches gives a JSON 404 with an integer status and text message"""
    app = create_app()
    response = http_client(app).get("/no/such/page")
    assert response.status_code == 404
    assert response.is_json
    body = response.get_json()
    assert type(body["status"]) is int and body["status"] == 404
    assert body["error"] == "Not Found"
    assert type(body["message"]) is str and body["message"]


def test_abort_keeps_its_description():
    """abort(404, description=...) in GET /users/<id> reaches the client as the message"""
    app = create_app()
    response = http_client(app).get("/users/42")
    assert response.status_code == 404
    assert response.is_json
    assert response.get_json() == {
        "status": 404, "error": "Not Found", "message": "user 42 not found"}


@pytest.mark.parametrize(
    "kwargs", [{"json": {}}, {"json": {"name": ""}}, {"json": {"name": 5}},
               {"json": ["ada"]}, {"data": "name=ada"}],
)
def test_missing_name_is_a_json_400(kwargs):
    """A body without a non-empty string name is 400 with message "name is required\""""
    app = create_app()
    response = http_client(app).post("/users", **kwargs)
    assert response.status_code == 400
    assert response.get_json() == {
        "status": 400, "error": "Bad Request", "message": "name is required"}


@pytest.mark.parametrize("method, path", [("delete", "/users/1"), ("put", "/users"),
                                          ("post", "/users/1")])
def test_405_is_json_and_keeps_allow(method, path):
    """A disallowed method is a JSON 405 whose Allow header still lists the allowed methods"""
    app = create_app()
    response = getattr(http_client(app), method)(path)
    assert response.status_code == 405
    assert response.is_json
    body = response.get_json()
    assert body["status"] == 405 and body["error"] == "Method Not Allowed"
    allowed = {m.strip() for m in response.headers.get("Allow", "").split(",")}
    expected = "POST" if path == "/users" else "GET"
    assert expected in allowed
    assert method.upper() not in allowed


def test_duplicate_name_is_a_json_409():
    """Creating a taken name is 409 Conflict with the ConflictError's message"""
    app = create_app()
    client = http_client(app)
    client.post("/users", json={"name": "grace"})
    response = client.post("/users", json={"name": "grace"})
    assert response.status_code == 409
    assert response.is_json
    assert response.get_json() == {
        "status": 409, "error": "Conflict", "message": "name already taken: grace"}


def test_conflict_error_from_any_view():
    """ConflictError is an Exception with .message, and becomes 409 from any view"""
    error = ConflictError("slot taken")
    assert isinstance(error, Exception)
    assert error.message == "slot taken"
    app = create_app()

    @app.post("/book")
    def book():
        raise ConflictError("slot 9:00 is taken")

    response = http_client(app).post("/book")
    assert response.status_code == 409
    assert response.get_json() == {
        "status": 409, "error": "Conflict", "message": "slot 9:00 is taken"}


@pytest.mark.parametrize("code", [401, 403, 410, 418, 422, 429])
def test_other_http_errors_are_json(code):
    """abort(code, description=...) for other codes keeps the code, its name and description"""
    app = create_app()

    # The view is flask.abort itself with its arguments bound, so the HTTPException is
    # raised (with its description) inside the app's own process.
    fail = functools.partial(flask.abort, code, description=f"custom {code}")
    app.add_url_rule("/fail", "fail", fail)

    response = http_client(app).get("/fail")
    assert response.status_code == code
    assert response.get_json() == {
        "status": code, "error": HTTP_STATUS_CODES[code], "message": f"custom {code}"}


def test_raised_exception_class_uses_its_default_description():
    """Raising werkzeug's Forbidden() directly gives 403 with its default description"""
    app = create_app()

    @app.get("/secret")
    def secret():
        raise werkzeug_exceptions.Forbidden()

    default = werkzeug_exceptions.Forbidden().description
    assert type(default) is str and default
    response = http_client(app).get("/secret")
    assert response.status_code == 403
    assert response.get_json() == {
        "status": 403, "error": "Forbidden", "message": default}


@pytest.mark.parametrize("kind", ["runtime", "key", "zero", "abort500"])
def test_failures_are_a_generic_500(kind):
    """Crashes and abort(500) give the generic 500 body and leak no detail or traceback"""
    app = create_app()

    if kind == "abort500":
        # Raised inside the app's process, so the description really reaches the handler.
        crash = functools.partial(flask.abort, 500, description="db hunter2 is down")
        app.add_url_rule("/crash", "crash", crash)
    else:
        @app.get("/crash")
        def crash():
            if kind == "runtime":
                raise RuntimeError("password=hunter2")
            if kind == "key":
                return {}["hunter2"]
            return str(1 / 0) + "hunter2"

    response = http_client(app).get("/crash")
    assert response.status_code == 500
    assert response.is_json
    assert response.get_json() == GENERIC
    text = response.get_data(as_text=True)
    assert "hunter2" not in text
    assert "Traceback" not in text and "Error:" not in text

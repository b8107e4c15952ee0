from app import create_app
from judge import http_client


def test_unknown_user_is_json_404():
    app = create_app()
    response = http_client(app).get("/users/7")
    assert response.status_code == 404
    assert response.get_json() == {
        "status": 404, "error": "Not Found", "message": "user 7 not found"}


def test_duplicate_name_is_409():
    app = create_app()
    client = http_client(app)
    assert client.post("/users", json={"name": "ada"}).status_code == 201
    response = client.post("/users", json={"name": "ada"})
    assert response.status_code == 409
    assert response.get_json()["message"] == "name already taken: ada"


def test_crash_is_a_generic_500():
    app = create_app()

    @app.get("/explode")
    def explode():
        raise KeyError("secret")

    response = http_client(app).get("/explode")
    assert response.status_code == 500
    assert response.get_json()["message"] == "an unexpected error occurred"

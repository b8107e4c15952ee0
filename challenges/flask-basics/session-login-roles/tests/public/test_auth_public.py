from app import app
from judge import http_client


def login(client, username, password):
    return client.post("/login", json={"username": username, "password": password})


def test_login_then_me():
    client = http_client(app)
    response = login(client, "bob", "builder")
    assert response.status_code == 200
    assert client.get("/me").get_json() == {"username": "bob", "role": "user"}


def test_wrong_password_is_401_without_cookie():
    client = http_client(app)
    response = login(client, "bob", "wrong")
    assert response.status_code == 401
    assert response.headers.getlist("Set-Cookie") == []


def test_anonymous_json_client_gets_401():
    assert http_client(app).get("/me").status_code == 401


def test_user_without_role_gets_403():
    client = http_client(app)
    login(client, "bob", "builder")
    assert client.get("/admin/users").status_code == 403

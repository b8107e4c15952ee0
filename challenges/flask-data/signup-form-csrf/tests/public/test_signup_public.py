import re

import app as app_module
from app import app
from judge import by_reference, http_client


def token_of(client):
    text = client.get("/signup").get_data(as_text=True)
    for tag in re.findall(r"<input[^>]*>", text):
        if 'name="csrf_token"' in tag:
            return re.search(r'value="([^"]*)"', tag).group(1)
    raise AssertionError("no csrf_token input on the page")


def test_signup_with_token_redirects_with_303():
    by_reference(app_module).USERS.clear()
    client = http_client(app)
    response = client.post("/signup", data={
        "csrf_token": token_of(client), "username": "ann", "email": "ann@example.com",
        "password": "long enough", "confirm": "long enough"})
    assert response.status_code == 303
    assert "ann" in app_module.USERS


def test_post_without_token_is_400():
    by_reference(app_module).USERS.clear()
    client = http_client(app)
    client.get("/signup")
    response = client.post("/signup", data={
        "username": "ann", "email": "ann@example.com",
        "password": "long enough", "confirm": "long enough"})
    assert response.status_code == 400


def test_invalid_email_is_422_with_a_field_error():
    by_reference(app_module).USERS.clear()
    client = http_client(app)
    response = client.post("/signup", data={
        "csrf_token": token_of(client), "username": "ann", "email": "nope",
        "password": "long enough", "confirm": "long enough"})
    assert response.status_code == 422
    assert re.search(r'<p class="error" data-field="email">\s*Enter a valid email address\.\s*</p>',
                     response.get_data(as_text=True))

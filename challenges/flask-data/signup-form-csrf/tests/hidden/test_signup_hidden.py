from html.parser import HTMLParser
from urllib.parse import urlsplit

import app as app_module
import pytest
from app import app
from judge import by_reference, http_client

FORMAT = "Username must be 3-20 letters, digits or underscores."
SHORT = "Password must be at least 8 characters."
BAD_EMAIL = "Enter a valid email address."
GOOD = {"username": "Ann_1", "email": "ann@example.com",
        "password": "correct horse", "confirm": "correct horse"}


class FormPage(HTMLParser):
    """Collects <input> attributes by name and <p class="error"> texts by data-field."""

    def __init__(self, text):
        super().__init__()
        self.inputs, self.errors, self._field = {}, {}, None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and "name" in attrs:
            self.inputs[attrs["name"]] = attrs
        elif tag == "p" and "error" in (attrs.get("class") or "").split():
            self._field = attrs.get("data-field")
            self.errors[self._field] = ""

    def handle_data(self, data):
        if self._field is not None:
            self.errors[self._field] += data

    def handle_endtag(self, tag):
        if tag == "p" and self._field is not None:
            self.errors[self._field] = self.errors[self._field].strip()
            self._field = None


@pytest.fixture(autouse=True)
def no_users():
    # Empty the candidate's own dict (reading USERS gives a copy).
    by_reference(app_module).USERS.clear()
    yield
    by_reference(app_module).USERS.clear()


def open_form(client):
    response = client.get("/signup")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    return FormPage(response.get_data(as_text=True))


def token_of(client):
    return open_form(client).inputs["csrf_token"]["value"]


def session_in(response):
    """The session the app stored in the cookie it set, decoded (and its signature
    checked) by the app's own session serializer."""
    name = app.config["SESSION_COOKIE_NAME"]
    for header in response.headers.getlist("Set-Cookie"):
        key, _, rest = header.partition("=")
        if key.strip() == name:
            serializer = app.session_interface.get_signing_serializer(app)
            return serializer.loads(rest.split(";", 1)[0].strip().strip('"'))
    raise AssertionError("the response set no session cookie")


def submit(client, token, **changes):
    data = {**GOOD, "csrf_token": token, **changes}
    data = {key: value for key, value in data.items() if value is not None}
    return client.post("/signup", data=data)


def test_form_has_the_fields_and_a_session_token():
    """GET /signup shows the four inputs and a hidden csrf_token equal to the session's"""
    response = http_client(app).get("/signup")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    form = FormPage(response.get_data(as_text=True))
    for name in ("username", "email", "password", "confirm"):
        assert name in form.inputs
    hidden = form.inputs["csrf_token"]
    assert hidden.get("type") == "hidden"
    token = hidden.get("value")
    assert type(token) is str and len(token) >= 32
    stored = session_in(response)
    assert type(stored) is dict
    assert stored.get("csrf_token") == token
    assert form.errors == {}


def test_token_is_reused_in_a_session_and_differs_between_sessions():
    """One session keeps one token across page loads; another session gets another token"""
    first, second = http_client(app), http_client(app)
    token = token_of(first)
    assert token_of(first) == token
    assert token_of(second) != token


@pytest.mark.parametrize(
    "case", ["missing", "wrong", "empty", "no-session", "no-session-with-token"])
def test_post_without_a_valid_token_is_400(case):
    """A POST whose token is missing, wrong or has no session token to match is 400 and stores nothing"""
    client = http_client(app)
    if case in ("missing", "wrong", "empty"):
        token = token_of(client)
        sent = {"missing": None, "wrong": token[:-1] + ("x" if token[-1] != "x" else "y"),
                "empty": ""}[case]
    else:
        sent = None if case == "no-session" else "x" * 43
    response = submit(client, sent)
    assert response.status_code == 400
    assert app_module.USERS == {}
    # The refusal is about the token: the same client with the page's token gets through.
    assert submit(client, token_of(client)).status_code == 303
    assert list(app_module.USERS) == ["ann_1"]


def test_successful_signup_redirects_with_303():
    """Valid data stores the user and answers 303 to /welcome, which greets them"""
    client = http_client(app)
    response = submit(client, token_of(client), username="  Ann_1 ", email=" ann@example.com ")
    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).path == "/welcome"
    assert app_module.USERS == {"ann_1": {"username": "Ann_1", "email": "ann@example.com"}}
    welcome = client.get("/welcome")
    assert welcome.status_code == 200
    assert "Welcome, Ann_1!" in welcome.get_data(as_text=True)


def test_token_is_spent_after_a_successful_signup():
    """Replaying the token of a successful signup is 400; the next form has a new token"""
    client = http_client(app)
    token = token_of(client)
    assert submit(client, token).status_code == 303
    replay = submit(client, token, username="Ann_2", email="two@example.com")
    assert replay.status_code == 400
    assert list(app_module.USERS) == ["ann_1"]
    assert token_of(client) != token


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"username": "", "email": "", "password": "", "confirm": ""},
         {"username": "Username is required.", "email": "Email is required.",
          "password": SHORT}),
        ({"username": "   ", "email": None}, {"username": "Username is required.",
                                              "email": "Email is required."}),
        ({"username": "ab"}, {"username": FORMAT}),
        ({"username": "a" * 21}, {"username": FORMAT}),
        ({"username": "bad name"}, {"username": FORMAT}),
        ({"username": "abc", "email": "no-at-sign"}, {"email": BAD_EMAIL}),
        ({"username": "a" * 20, "email": "ann@localhost"}, {"email": BAD_EMAIL}),
        ({"email": "a@@example.com"}, {"email": BAD_EMAIL}),
        ({"password": "seven77", "confirm": "seven77"},
         {"password": SHORT}),
        ({"password": "eight888", "confirm": "eight889"}, {"confirm": "Passwords do not match."}),
        ({"password": "short", "confirm": None},
         {"password": SHORT, "confirm": "Passwords do not match."}),
    ],
    ids=["all-empty", "blank-and-missing", "username-too-short", "username-too-long",
         "username-space", "email-no-at", "email-no-dot", "email-two-ats", "password-7",
         "confirm-differs", "short-and-no-confirm"],
)
def test_validation_errors_are_per_field(changes, expected):
    """Invalid fields re-render the form with 422 and exactly one message per failing field"""
    client = http_client(app)
    response = submit(client, token_of(client), **changes)
    assert response.status_code == 422
    assert FormPage(response.get_data(as_text=True)).errors == expected
    assert app_module.USERS == {}


def test_password_of_exactly_eight_characters_is_accepted():
    """A password of exactly 8 characters passes"""
    client = http_client(app)
    response = submit(client, token_of(client), password="12345678", confirm="12345678")
    assert response.status_code == 303


def test_taken_username_ignores_case():
    """A username already registered in any letter case is taken"""
    by_reference(app_module).USERS["ann_1"] = {"username": "ann_1", "email": "first@example.com"}
    client = http_client(app)
    response = submit(client, token_of(client), username="ANN_1")
    assert response.status_code == 422
    assert FormPage(response.get_data(as_text=True)).errors == {
        "username": "Username is already taken."}
    assert app_module.USERS == {"ann_1": {"username": "ann_1", "email": "first@example.com"}}


def test_rerendered_form_keeps_values_and_token_but_not_passwords():
    """After errors the form shows the stripped username and email and the same token, never a password"""
    client = http_client(app)
    token = token_of(client)
    response = submit(client, token, username=" Bo_2 ", email=" bad-email ",
                      password="hunter2hunter2", confirm="hunter2hunter3")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    form = FormPage(text)
    assert form.inputs["username"].get("value") == "Bo_2"
    assert form.inputs["email"].get("value") == "bad-email"
    assert form.inputs["csrf_token"].get("value") == token
    for name in ("password", "confirm"):
        assert form.inputs[name].get("value") in (None, "")
    assert "hunter2" not in text
    assert submit(client, token).status_code == 303


def test_rerendered_values_are_escaped():
    """Submitted values are escaped when they are put back into the form"""
    client = http_client(app)
    evil = '"><script>alert(1)</script>'
    response = submit(client, token_of(client), username=evil, email=evil)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "<script" not in text.lower()
    form = FormPage(text)
    assert form.inputs["username"].get("value") == evil
    assert form.inputs["email"].get("value") == evil


def test_welcome_without_signup_redirects_to_the_form():
    """GET /welcome with nobody signed up in the session is a 302 to /signup"""
    response = http_client(app).get("/welcome")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/signup"

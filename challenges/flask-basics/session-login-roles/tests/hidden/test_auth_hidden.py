from urllib.parse import parse_qs, urlsplit

import app as service
import pytest
from judge import by_reference, http_client
from werkzeug.security import check_password_hash
from werkzeug.test import Client

app = service.app


def login(client, username, password):
    return client.post("/login", json={"username": username, "password": password})


def test_passwords_are_stored_as_hashes():
    """USERS keeps a werkzeug hash and a role per user, never the plain password"""
    alice = service.USERS["alice"]
    assert set(alice) == {"password_hash", "role"}
    assert type(alice["password_hash"]) is str
    assert "wonderland" not in alice["password_hash"]
    assert alice["password_hash"].startswith("pbkdf2:sha256:1000$")
    assert check_password_hash(alice["password_hash"], "wonderland")
    assert alice["role"] == "admin"
    assert service.USERS["bob"]["role"] == "user"
    assert check_password_hash(service.USERS["bob"]["password_hash"], "builder")


def test_add_user_salts_each_hash_and_refuses_duplicates():
    """Equal passwords get different salted hashes, role defaults to user, duplicates raise"""
    try:
        service.add_user("carol", "same-password")
        service.add_user("dave", "same-password", role="admin")
        carol, dave = service.USERS["carol"], service.USERS["dave"]
        assert carol["password_hash"] != dave["password_hash"]
        assert check_password_hash(carol["password_hash"], "same-password")
        assert (carol["role"], dave["role"]) == ("user", "admin")
        with pytest.raises(ValueError):
            service.add_user("carol", "other")
        assert check_password_hash(service.USERS["carol"]["password_hash"], "same-password")
    finally:
        # USERS read from the module is a copy: change the app's own dict.
        by_reference(service).USERS.pop("carol", None)
        by_reference(service).USERS.pop("dave", None)


def test_successful_login_sets_a_hardened_session_cookie():
    """A successful login answers 200 with the user and sets an HttpOnly, SameSite=Lax cookie"""
    client = http_client(app)
    response = login(client, "alice", "wonderland")
    assert response.status_code == 200
    assert response.get_json() == {"username": "alice", "role": "admin"}
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1
    assert cookies[0].startswith("session=")
    lowered = cookies[0].lower()
    assert "httponly" in lowered
    assert "samesite=lax" in lowered


@pytest.mark.parametrize(
    "kwargs, status, body",
    [
        ({"json": {"username": "alice", "password": "Wonderland"}}, 401,
         {"error": "invalid credentials"}),
        ({"json": {"username": "mallory", "password": "wonderland"}}, 401,
         {"error": "invalid credentials"}),
        ({"json": {"username": "alice"}}, 400,
         {"error": "username and password are required"}),
        ({"json": {"username": "alice", "password": 123}}, 400,
         {"error": "username and password are required"}),
        ({"data": "username=alice&password=wonderland"}, 400,
         {"error": "username and password are required"}),
    ],
)
def test_failed_logins_set_no_cookie(kwargs, status, body):
    """Wrong credentials are 401, bad bodies 400, and neither carries a Set-Cookie header"""
    client = http_client(app)
    response = client.post("/login", **kwargs)
    assert response.status_code == status
    assert response.get_json() == body
    assert response.headers.getlist("Set-Cookie") == []
    assert client.get("/me").status_code == 401


def test_login_starts_a_fresh_session_holding_only_the_username():
    """Login drops earlier session data and stores only {"user": username}"""
    # A session cookie signed by the app's own session interface, holding extra data.
    serializer = app.session_interface.get_signing_serializer(app)
    planted = "session=" + serializer.dumps({"cart": [1, 2], "user": "alice"})
    # A client without a cookie jar, so that the Cookie header is sent as given.
    client = Client(http_client(app).application, use_cookies=False)
    me = client.get("/me", headers={"Cookie": planted})
    assert me.get_json() == {"username": "alice", "role": "admin"}
    response = client.post("/login", json={"username": "bob", "password": "builder"},
                           headers={"Cookie": planted})
    assert response.status_code == 200
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1 and cookies[0].startswith("session=")
    fresh = cookies[0].split(";", 1)[0][len("session="):]
    assert serializer.loads(fresh) == {"user": "bob"}


@pytest.mark.parametrize(
    "accept", [None, "*/*", "application/json", "application/json, text/html;q=0.9",
               "text/html;q=0.5, application/json;q=0.5"],
)
def test_anonymous_json_clients_get_401(accept):
    """Without login a JSON client (no Accept, */*, JSON preferred or tied) gets a JSON 401"""
    headers = {"Accept": accept} if accept else {}
    for path in ("/me", "/admin/users"):
        response = http_client(app).get(path, headers=headers)
        assert response.status_code == 401
        assert response.get_json() == {"error": "authentication required"}


@pytest.mark.parametrize(
    "accept, path",
    [("text/html", "/me"), ("text/html,application/xhtml+xml,*/*;q=0.8", "/admin/users"),
     ("text/*", "/me")],
)
def test_anonymous_browsers_are_redirected_to_login(accept, path):
    """A browser without login gets a 302 to the login page with next=<path>, via url_for"""
    client = http_client(app)
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert target.path == "/login"
    assert parse_qs(target.query) == {"next": [path]}
    mounted = client.get(path, headers={"Accept": accept}, base_url="http://localhost/app")
    assert urlsplit(mounted.headers["Location"]).path == "/app/login"


def test_admin_route_checks_the_role():
    """An admin gets the sorted user list; a logged-in non-admin gets 403, even from a browser"""
    admin = http_client(app)
    login(admin, "alice", "wonderland")
    response = admin.get("/admin/users")
    assert response.status_code == 200
    assert response.get_json() == {"users": ["alice", "bob"]}
    user = http_client(app)
    login(user, "bob", "builder")
    for accept in ("application/json", "text/html"):
        denied = user.get("/admin/users", headers={"Accept": accept})
        assert denied.status_code == 403
        assert denied.get_json() == {"error": "forbidden"}
    assert user.get("/me").get_json() == {"username": "bob", "role": "user"}


def test_logout_ends_the_session():
    """POST /logout answers an empty 204 and the next request is anonymous again"""
    client = http_client(app)
    login(client, "alice", "wonderland")
    assert client.get("/me").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 204
    assert response.get_data() == b""
    assert client.get("/me").status_code == 401
    assert client.post("/logout").status_code == 204


def test_deleted_user_is_no_longer_authenticated():
    """A session naming a user who no longer exists is treated as not logged in"""
    client = http_client(app)
    try:
        service.add_user("erin", "pw-erin", role="admin")
        assert login(client, "erin", "pw-erin").status_code == 200
        assert client.get("/admin/users").status_code == 200
        del by_reference(service).USERS["erin"]  # from the app's own dict, not a copy
        assert client.get("/me").status_code == 401
        assert client.get("/admin/users").status_code == 401
    finally:
        by_reference(service).USERS.pop("erin", None)


def test_decorators_keep_the_view_metadata():
    """login_required and role_required(role) keep __name__ and __doc__"""
    def report():
        """Quarterly report."""

    for decorated in (service.login_required(report), service.role_required("admin")(report)):
        assert decorated.__name__ == "report"
        assert decorated.__doc__ == "Quarterly report."
        assert decorated is not report

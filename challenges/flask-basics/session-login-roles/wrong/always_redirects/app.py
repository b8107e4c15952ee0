import functools

from flask import Flask, jsonify, redirect, request, session, url_for
from werkzeug.security import check_password_hash, generate_password_hash

# Cheap hashing so the tests stay fast; production code keeps Werkzeug's default.
HASH_METHOD = "pbkdf2:sha256:1000"

app = Flask(__name__)
app.config.update(SECRET_KEY="dev-only-secret", SESSION_COOKIE_SAMESITE="Lax")

USERS = {}
# Checked when the user does not exist, so both failures cost the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method=HASH_METHOD)


def add_user(username, password, role="user"):
    if username in USERS:
        raise ValueError(f"user {username!r} already exists")
    USERS[username] = {
        "password_hash": generate_password_hash(password, method=HASH_METHOD),
        "role": role,
    }


add_user("alice", "wonderland", role="admin")
add_user("bob", "builder")


def wants_html():
    accept = request.accept_mimetypes
    return accept["text/html"] > accept["application/json"]


def current_username():
    username = session.get("user")
    return username if username in USERS else None


def unauthenticated():
    return redirect(url_for("login_page", next=request.path))


def login_required(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if current_username() is None:
            return unauthenticated()
        return view(*args, **kwargs)
    return wrapper


def role_required(role):
    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            username = current_username()
            if username is None:
                return unauthenticated()  # 401: we do not know who you are
            if USERS[username]["role"] != role:
                return jsonify({"error": "forbidden"}), 403  # known, but not allowed
            return view(*args, **kwargs)
        return wrapper
    return decorator


@app.get("/login")
def login_page():
    return "<p>Please log in.</p>"


@app.post("/login")
def login():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        data = {}
    username, password = data.get("username"), data.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        return jsonify({"error": "username and password are required"}), 400
    user = USERS.get(username)
    stored = user["password_hash"] if user else _DUMMY_HASH
    if not check_password_hash(stored, password) or user is None:
        # Do not touch the session here: a failed login must not set a cookie.
        return jsonify({"error": "invalid credentials"}), 401
    session.clear()
    session["user"] = username
    return jsonify({"username": username, "role": user["role"]})


@app.post("/logout")
def logout():
    session.clear()
    return "", 204


@app.get("/me")
@login_required
def me():
    username = current_username()
    return jsonify({"username": username, "role": USERS[username]["role"]})


@app.get("/admin/users")
@role_required("admin")
def list_users():
    return jsonify({"users": sorted(USERS)})

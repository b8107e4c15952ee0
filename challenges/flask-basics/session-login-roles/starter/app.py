import functools

from flask import Flask, jsonify, redirect, request, session, url_for
from werkzeug.security import check_password_hash, generate_password_hash

# Cheap hashing so the tests stay fast; production code keeps Werkzeug's default.
HASH_METHOD = "pbkdf2:sha256:1000"

app = Flask(__name__)
app.config.update(SECRET_KEY="dev-only-secret")

USERS = {}


def add_user(username, password, role="user"):
    USERS[username] = {"password": password, "role": role}


add_user("alice", "wonderland", role="admin")
add_user("bob", "builder")


def login_required(view):
    return view


def role_required(role):
    def decorator(view):
        return view
    return decorator


@app.get("/login")
def login_page():
    return "<p>Please log in.</p>"


@app.post("/login")
def login():
    data = request.get_json()
    session["user"] = data["username"]
    return jsonify({"username": data["username"]})


# TODO: /logout, /me and /admin/users

import hmac
import re
import secrets

from flask import Flask, abort, redirect, render_template_string, request, session, url_for

app = Flask(__name__)
app.secret_key = "signup-dev-key"

# Registered users: lower-cased username -> {"username": ..., "email": ...}
USERS = {}

USERNAME_RE = re.compile(r"[A-Za-z0-9_]{3,20}")
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

SIGNUP_PAGE = """<!doctype html>
<title>Sign up</title>
<form method="post" action="{{ url_for('signup') }}">
  <input type="hidden" name="csrf_token" value="{{ csrf_token }}">
  <label>Username <input name="username" value="{{ values.username }}"></label>
  {% if errors.username %}<p class="error" data-field="username">{{ errors.username }}</p>{% endif %}
  <label>Email <input name="email" type="email" value="{{ values.email }}"></label>
  {% if errors.email %}<p class="error" data-field="email">{{ errors.email }}</p>{% endif %}
  <label>Password <input name="password" type="password"></label>
  {% if errors.password %}<p class="error" data-field="password">{{ errors.password }}</p>{% endif %}
  <label>Confirm <input name="confirm" type="password"></label>
  {% if errors.confirm %}<p class="error" data-field="confirm">{{ errors.confirm }}</p>{% endif %}
  <button>Sign up</button>
</form>
"""

WELCOME_PAGE = "<!doctype html><title>Welcome</title><h1>Welcome, {{ username }}!</h1>"


def csrf_token():
    """The session's token, created on first use and reused afterwards."""
    if "csrf_token" not in session:
        session["csrf_token"] = secrets.token_urlsafe(32)
    return session["csrf_token"]


def check_csrf():
    expected = session.get("csrf_token")
    sent = request.form.get("csrf_token")
    if not expected or not sent or not hmac.compare_digest(expected, sent):
        abort(400)


def validate(form):
    values = {"username": form.get("username", "").strip(),
              "email": form.get("email", "").strip()}
    password = form.get("password", "")
    confirm = form.get("confirm", "")
    errors = {}

    username = values["username"]
    if not username:
        errors["username"] = "Username is required."
    elif not USERNAME_RE.fullmatch(username):
        errors["username"] = "Username must be 3-20 letters, digits or underscores."
    elif username in USERS:
        errors["username"] = "Username is already taken."

    email = values["email"]
    if not email:
        errors["email"] = "Email is required."
    elif not EMAIL_RE.fullmatch(email):
        errors["email"] = "Enter a valid email address."

    if len(password) < 8:
        errors["password"] = "Password must be at least 8 characters."
    if confirm != password:
        errors["confirm"] = "Passwords do not match."
    return values, errors


def render_signup(values, errors, status=200):
    page = render_template_string(SIGNUP_PAGE, csrf_token=csrf_token(),
                                  values=values, errors=errors)
    return page, status


@app.get("/signup")
def signup_form():
    return render_signup({"username": "", "email": ""}, {})


@app.post("/signup")
def signup():
    check_csrf()
    values, errors = validate(request.form)
    if errors:
        return render_signup(values, errors, 422)
    USERS[values["username"].lower()] = dict(values)
    session["user"] = values["username"]
    # A used token is spent: the next form gets a fresh one.
    session.pop("csrf_token", None)
    return redirect(url_for("welcome"), code=303)


@app.get("/welcome")
def welcome():
    if "user" not in session:
        return redirect(url_for("signup_form"))
    return render_template_string(WELCOME_PAGE, username=session["user"])

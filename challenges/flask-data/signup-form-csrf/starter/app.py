import hmac
import re
import secrets

from flask import Flask, abort, redirect, render_template_string, request, session, url_for

app = Flask(__name__)
app.secret_key = "signup-dev-key"

# Registered users: lower-cased username -> {"username": ..., "email": ...}
USERS = {}

SIGNUP_PAGE = """<!doctype html>
<title>Sign up</title>
<form method="post" action="{{ url_for('signup') }}">
  <label>Username <input name="username"></label>
  <label>Email <input name="email" type="email"></label>
  <label>Password <input name="password" type="password"></label>
  <label>Confirm <input name="confirm" type="password"></label>
  {% if error %}<p class="error">{{ error }}</p>{% endif %}
  <button>Sign up</button>
</form>
"""

WELCOME_PAGE = "<!doctype html><title>Welcome</title><h1>Welcome, {{ username }}!</h1>"


@app.get("/signup")
def signup_form():
    return render_template_string(SIGNUP_PAGE)


@app.post("/signup")
def signup():
    username = request.form.get("username", "")
    if not username:
        return render_template_string(SIGNUP_PAGE, error="Username is required.")
    USERS[username] = {"username": username, "email": request.form.get("email", "")}
    session["user"] = username
    return redirect(url_for("welcome"))


@app.get("/welcome")
def welcome():
    return render_template_string(WELCOME_PAGE, username=session.get("user"))

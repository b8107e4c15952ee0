"""Sign up, log in, log out, and the session state the editor asks for; who a request
is (session, API token, role) is lab/accounts/access.py."""

from __future__ import annotations

import secrets

from flask import Blueprint, flash, g, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from lab.extensions import db
from lab.models import User
from lab.ratelimit import forget_failed_logins, login_per_account, login_per_address, signup_per_address
from lab.templating import wants_json

auth = Blueprint("auth", __name__)
WRONG_LOGIN = "Email or password is wrong."
EMAIL = r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$"


class SignupForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254),
                                            Regexp(EMAIL, message="Enter a valid email address.")])
    password = PasswordField("Password", validators=[
        DataRequired(), Length(min=8, max=200, message="Use 8 to 200 characters.")])
    confirm = PasswordField("Repeat password", validators=[
        DataRequired(), EqualTo("password", message="The passwords differ.")])


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


def _safe_next(target: str | None) -> str:
    """A path on this site, or the catalog.  Browsers drop tabs and newlines from a
    Location (so `/\t/evil.com` becomes `//evil.com`), and a newline cannot be in a
    header at all: any control character or space sends the user to the catalog."""
    if (target and target.startswith("/") and not target.startswith("//") and "\\" not in target
            and not any(ord(char) <= 0x20 or ord(char) == 0x7F for char in target)):
        return target
    return url_for("catalog.index")


SIGNED_UP = ("Thank you. Log in with your email and password to start. If that email "
             "already had an account, the account is unchanged: log in with its own password.")


@auth.route("/signup", methods=["GET", "POST"])
@signup_per_address
def signup():
    """Sign-up answers a valid form the same way whether or not the email has an
    account: the same redirect to the login page with the same words, after the same
    password hashing, and it never signs anyone in.  A taken email keeps its account as it
    was.  The form's own checks (a malformed email, a short password) depend only on what
    was typed, so they reveal nothing.

    Signing in at once would tell a new email (you are in) from a taken one (you are
    not), so the new account is used by logging in like any other.  Without a second
    channel (there is no email sending) the lab cannot hide an account from someone who
    signs up with its email and then tries to log in with the password they chose; that
    try is a failed login, throttled per email and per address like any other, and
    sign-ups are throttled per address."""
    form = SignupForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        password_hash = generate_password_hash(form.password.data)  # the work, either way
        if db.session.scalar(select(User.id).where(User.email == email)) is None:
            db.session.add(User(email=email, role="candidate", password_hash=password_hash))
            try:
                db.session.commit()
            except IntegrityError:  # the same email signed up at the same moment
                db.session.rollback()
        flash(SIGNED_UP)
        return redirect(url_for("auth.login"), 303)
    return render_template("auth/signup.html", form=form), 200 if not form.errors else 400


_DUMMY_HASH: list[str] = []


def _dummy_hash() -> str:
    """A hash of a random password, made like real ones (same method and cost), checked
    when the email has no account so an unknown email takes as long as a known one."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(generate_password_hash(secrets.token_urlsafe(16)))
    return _DUMMY_HASH[0]


@auth.route("/login", methods=["GET", "POST"])
@login_per_account
@login_per_address
def login():
    """A wrong password and an unknown email get the same answer after the same work.
    Failed logins are throttled per email and per client address (lab/ratelimit.py)."""
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.email == form.email.data.strip().lower()))
        if user is None:
            check_password_hash(_dummy_hash(), form.password.data)
        elif user.check_password(form.password.data):
            forget_failed_logins()
            login_user(user, remember=True)
            if wants_json():
                return _session_state()
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append(WRONG_LOGIN)
    if wants_json() and request.method == "POST":
        # The editor's sign-in dialog (lab/static/src/session.js): what was wrong, in words.
        problems = []
        for name, errors in form.errors.items():
            if errors[0] == WRONG_LOGIN:
                problems.append(WRONG_LOGIN)
            else:
                problems.append(f"{form[name].label.text}: {errors[0]}")
        return jsonify(error=" ".join(problems) or "Could not sign in."), 400
    return render_template("auth/login.html", form=form), 200 if not form.errors else 400


def _session_state():
    """Whether this browser is signed in, and its session's CSRF token now.  The editor
    asks after a save or Run is refused for an ended session or a stale token (a sign-in
    in another tab starts a new session), and retries with the new token instead of
    failing; no-store, as the token belongs to this session only."""
    response = jsonify(signed_in=current_user.is_authenticated, token=generate_csrf())
    response.headers["Cache-Control"] = "no-store"
    return response


@auth.get("/session")
def session_state():
    return _session_state()


@auth.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash("You are logged out.")
    return redirect(url_for("auth.login"))


@auth.before_app_request
def remember_api_user() -> None:
    g.api_user = None

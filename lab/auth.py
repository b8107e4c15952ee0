"""Sign up, log in, log out; API token authentication; role checks."""

from __future__ import annotations

import functools

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from lab.extensions import db, login_manager
from lab.models import User, token_digest

auth = Blueprint("auth", __name__)
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


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def user_from_bearer() -> User | None:
    """The user of an `Authorization: Bearer <token>` header, if valid."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    token = header[7:].strip()
    if not token or len(token) > 200:
        return None
    return db.session.scalar(select(User).where(User.api_token_digest == token_digest(token)))


def create_user(email: str, password: str, role: str = "candidate") -> User:
    user = User(email=email.strip().lower(), role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def instructor_required(view):
    @functools.wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_instructor:
            abort(403, "This page is for instructors.")
        return view(*args, **kwargs)

    return wrapped


def _safe_next(target: str | None) -> str:
    """A path on this site, or the catalog.  Browsers drop tabs and newlines from a
    Location (so `/\t/evil.com` becomes `//evil.com`), and a newline cannot be in a
    header at all: any control character or space sends the user to the catalog."""
    if (target and target.startswith("/") and not target.startswith("//") and "\\" not in target
            and not any(ord(char) <= 0x20 or ord(char) == 0x7F for char in target)):
        return target
    return url_for("catalog.index")


@auth.route("/signup", methods=["GET", "POST"])
def signup():
    form = SignupForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        if db.session.scalar(select(User).where(User.email == email)):
            form.email.errors.append("An account with this email exists; log in instead.")
        else:
            login_user(create_user(email, form.password.data))
            return redirect(url_for("catalog.index"))
    return render_template("auth/signup.html", form=form), 200 if not form.errors else 400


@auth.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.email == form.email.data.strip().lower()))
        if user and user.check_password(form.password.data):
            login_user(user, remember=True)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append("Email or password is wrong.")
    return render_template("auth/login.html", form=form), 200 if not form.errors else 400


@auth.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash("You are logged out.")
    return redirect(url_for("auth.login"))


@auth.before_app_request
def remember_api_user() -> None:
    g.api_user = None

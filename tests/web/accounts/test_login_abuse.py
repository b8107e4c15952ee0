"""Accounts under abuse: failed logins are throttled per email and per client address
(429 with Retry-After), an unknown email looks and takes like a wrong password, sign-up
answers the same whether or not the email is taken, and the cookies are SameSite, short
lived and Secure over HTTPS."""

from __future__ import annotations

import re
import statistics
import time
from contextlib import contextmanager
from dataclasses import replace

import pytest

from lab.app import create_app
from lab.extensions import db
from tests.helpers import PASSWORD, csrf_of, make_user


def _post_login(client, email: str, password: str, address: str = "127.0.0.1"):
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def _masked(text: str) -> str:
    """A page without its CSRF token (signed with a timestamp, so never twice the same)."""
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]+"', r'\1"', text)


def test_failed_logins_are_throttled_per_account(app):
    make_user(app, "target@example.com")
    client = app.test_client()
    for _ in range(10):
        assert _post_login(client, "target@example.com", "guess-guess").status_code == 400
    # Even the right password is refused now, with when to come back.
    refused = _post_login(client, "Target@Example.com ", PASSWORD)
    assert refused.status_code == 429
    retry = int(refused.headers["Retry-After"])
    assert 0 < retry <= 15 * 60
    assert "Too many failed logins for this email" in refused.text and "Try again in" in refused.text
    assert client.get("/challenges").status_code == 302  # not signed in
    # Another email from the same address is not locked by it.
    make_user(app, "other@example.com")
    assert _post_login(app.test_client(), "other@example.com", PASSWORD).status_code == 302


def test_an_unknown_email_is_throttled_the_same_way(app):
    _tighten(app, login_failures_per_account=4)
    client = app.test_client()
    for _ in range(4):
        assert _post_login(client, "nobody@example.com", "guess-guess").status_code == 400
    assert _post_login(client, "nobody@example.com", "guess-guess").status_code == 429


def test_a_successful_login_clears_the_count_of_its_email(app):
    _tighten(app, login_failures_per_account=4)
    make_user(app, "typo@example.com")
    for _ in range(3):
        assert _post_login(app.test_client(), "typo@example.com", "typo-typo").status_code == 400
    assert _post_login(app.test_client(), "typo@example.com", PASSWORD).status_code == 302
    for _ in range(3):
        assert _post_login(app.test_client(), "typo@example.com", "typo-typo").status_code == 400
    assert _post_login(app.test_client(), "typo@example.com", PASSWORD).status_code == 302


def _tighten(app, **values) -> None:
    """Smaller limits than the defaults, so a test needs fewer (slow, hashed) tries."""
    app.config["LAB_SETTINGS"] = replace(app.config["LAB_SETTINGS"], **values)


def test_failed_logins_are_throttled_per_address(app):
    _tighten(app, login_failures_per_address=6)
    client = app.test_client()
    for number in range(6):
        response = _post_login(client, f"spray{number}@example.com", "guess-guess", "10.9.8.7")
        assert response.status_code == 400
    make_user(app, "real@example.com")
    refused = _post_login(client, "real@example.com", PASSWORD, "10.9.8.7")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "from your network address" in refused.text
    # Successful logins do not count: a class behind one address can sign in.
    assert _post_login(client, "real@example.com", PASSWORD, "10.9.8.8").status_code == 302


def test_the_429_is_json_for_json_clients(app):
    _tighten(app, login_failures_per_account=2)
    client = app.test_client()
    for _ in range(2):
        _post_login(client, "j@example.com", "guess-guess")
    token = csrf_of(client.get("/login").text)
    refused = client.post("/login", data={"email": "j@example.com", "password": "x",
                                          "csrf_token": token}, headers={"Accept": "application/json"})
    body = refused.get_json()
    assert refused.status_code == 429 and body["status"] == 429
    assert body["retry_after"] == int(refused.headers["Retry-After"]) > 0
    assert "Try again in" in body["error"]


@contextmanager
def _app_with(app, **values):
    """Another app on the test's database, with some settings changed."""
    application = create_app(replace(app.config["LAB_SETTINGS"], **values), TESTING=True)
    try:
        yield application
    finally:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def test_the_throttle_holds_when_redis_does_not_answer(app):
    """Counters on an unreachable Redis: Flask-Limiter counts in memory instead."""
    with _app_with(app, ratelimit_storage="redis://127.0.0.1:1/0") as application:
        make_user(application, "fallback@example.com")
        client = application.test_client()
        for _ in range(10):
            assert _post_login(client, "fallback@example.com", "guess-guess").status_code == 400
        assert _post_login(client, "fallback@example.com", PASSWORD).status_code == 429


def _login_seconds(app, email: str, tries: int) -> float:
    """Median time of `tries` failed logins for `email` (after one not counted)."""
    client = app.test_client()
    token = csrf_of(client.get("/login").text)
    times = []
    for _ in range(tries + 1):
        started = time.perf_counter()
        response = client.post("/login", data={"email": email, "password": "not-the-password",
                                               "csrf_token": token})
        times.append(time.perf_counter() - started)
        assert response.status_code == 400
    return statistics.median(times[1:])


def test_an_unknown_email_takes_as_long_as_a_wrong_password(app):
    make_user(app, "known@example.com")
    # Interleaved rounds, so a busy moment of the machine hits both alike.
    known, unknown = [], []
    for _ in range(3):
        known.append(_login_seconds(app, "known@example.com", 2))
        unknown.append(_login_seconds(app, "unknown@example.com", 2))
    ratio = statistics.median(known) / statistics.median(unknown)
    print(f"login medians: known {statistics.median(known) * 1000:.1f} ms, "
          f"unknown {statistics.median(unknown) * 1000:.1f} ms, ratio {ratio:.2f}")
    assert 0.5 < ratio < 2.0


def test_an_unknown_email_gets_the_page_a_wrong_password_gets(app):
    make_user(app, "known@example.com")
    client = app.test_client()
    wrong = _post_login(client, "known@example.com", "not-the-password")
    unknown = _post_login(client, "known@example.com".replace("known", "unknwn"), "not-the-password")
    assert wrong.status_code == unknown.status_code == 400
    assert _masked(wrong.text).replace("known@", "X@") == _masked(unknown.text).replace("unknwn@", "X@")
    assert "Email or password is wrong." in wrong.text


def _signup(client, email: str, password: str):
    token = csrf_of(client.get("/signup").text)
    return client.post("/signup", data={"email": email, "password": password, "confirm": password,
                                        "csrf_token": token})


def test_signup_answers_the_same_whether_or_not_the_email_is_taken(app):
    make_user(app, "taken@example.com")
    taken_client, free_client = app.test_client(), app.test_client()
    taken = _signup(taken_client, "taken@example.com", "another-pass-1")
    free = _signup(free_client, "free@example.com", "another-pass-1")
    assert taken.status_code == free.status_code
    assert taken.headers.get("Location") == free.headers.get("Location")
    assert taken.text == free.text
    # And what follows (the page it leads to) is the same too; nobody is signed in.
    after_taken = taken_client.get(taken.headers["Location"])
    after_free = free_client.get(free.headers["Location"])
    assert _masked(after_taken.text) == _masked(after_free.text)
    assert "Log in with your email and password" in after_free.text
    assert taken_client.get("/challenges").status_code == free_client.get("/challenges").status_code
    # The taken account is unchanged; the new one works.
    assert _post_login(app.test_client(), "taken@example.com", PASSWORD).status_code == 302
    assert _post_login(app.test_client(), "taken@example.com", "another-pass-1").status_code == 400
    assert _post_login(app.test_client(), "free@example.com", "another-pass-1").status_code == 302


def test_signups_are_throttled_per_address(app):
    _tighten(app, signups_per_hour=4)
    client = app.test_client()
    for number in range(4):
        _signup(client, f"bulk{number}@example.com", "bulk-pass-1")
    refused = _signup(client, "bulk-more@example.com", "bulk-pass-1")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0


def _cookie(response, name: str) -> str:
    found = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(f"{name}=")]
    assert found, response.headers.getlist("Set-Cookie")
    return found[-1]


def _days_left(cookie: str) -> float:
    from email.utils import parsedate_to_datetime

    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))
    return (expires.timestamp() - time.time()) / 86400


@pytest.mark.parametrize("origin, secure", [("http://localhost", False),
                                            ("https://localhost", True)])
def test_cookies_are_samesite_short_lived_and_secure_over_https(app, origin, secure):
    make_user(app, "cookie@example.com")
    client = app.test_client()
    token = csrf_of(client.get("/login", base_url=origin).text)
    # Over HTTPS Flask-WTF also wants a Referer of this site, as a browser sends.
    response = client.post("/login", base_url=origin, headers={"Referer": f"{origin}/login"}, data={
        "email": "cookie@example.com", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    remember, session = _cookie(response, "remember_token"), _cookie(response, "session")
    for cookie in (remember, session):
        assert "SameSite=Lax" in cookie and "HttpOnly" in cookie
        assert ("Secure" in cookie) is secure, cookie
    assert 13.99 < _days_left(remember) <= 14


def test_cookie_settings_are_configurable(app):
    with _app_with(app, cookie_secure="1", remember_days=2) as application:
        make_user(application, "c2@example.com")
        response = _post_login(application.test_client(), "c2@example.com", PASSWORD)
        remember = _cookie(response, "remember_token")
        assert "Secure" in remember and 1.99 < _days_left(remember) <= 2
        assert "Secure" in _cookie(response, "session")

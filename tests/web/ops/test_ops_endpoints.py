"""/healthz says only ok or not to anyone and its checks to operators; /metrics is for
operators only (a signed-in admin, an admin's API token, or LAB_METRICS_TOKEN)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from lab.extensions import db
from lab.models import User
from tests.helpers import login, make_user


def _api_token(app, email: str, role: str) -> str:
    make_user(app, email, role)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        value = user.new_api_token()
        db.session.commit()
    return value


def test_healthz_tells_anyone_only_ok_or_not(app, candidate):
    for client in (app.test_client(), candidate):
        response = client.get("/healthz")
        # No broker in these tests: not ok, and nothing about why.
        assert response.status_code == 503
        assert response.get_json() == {"status": "degraded"}
        assert "127.0.0.1" not in response.text and "error" not in response.text


def test_healthz_details_for_admins_by_session_or_token(app):
    admin = app.test_client()
    make_user(app, "root@example.com", "admin")
    login(admin, "root@example.com")
    body = admin.get("/healthz").get_json()
    assert body["status"] == "degraded" and body["checks"]["database"]["ok"] is True
    assert "error" in body["checks"]["broker"]
    token = _api_token(app, "ops@example.com", "admin")
    assert "checks" in app.test_client().get(
        "/healthz", headers={"Authorization": f"Bearer {token}"}).get_json()
    instructor = _api_token(app, "teach@example.com", "instructor")
    assert "checks" not in app.test_client().get(
        "/healthz", headers={"Authorization": f"Bearer {instructor}"}).get_json()


def test_metrics_need_an_operator(app, candidate):
    anonymous = app.test_client().get("/metrics")
    assert anonymous.status_code == 401 and "lab_" not in anonymous.text
    assert anonymous.headers["WWW-Authenticate"].lower().startswith("bearer")
    assert candidate.get("/metrics").status_code == 403
    wrong = app.test_client().get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    token = _api_token(app, "ops@example.com", "admin")
    answer = app.test_client().get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and "lab_submissions" in answer.text


@pytest.mark.parametrize("path", ["/metrics", "/healthz"])
def test_the_metrics_token_opens_metrics_and_health_details(app, path):
    app.config["LAB_SETTINGS"] = replace(app.config["LAB_SETTINGS"], metrics_token="s3cret-scrape")
    client = app.test_client()
    assert client.get("/metrics", headers={"Authorization": "Bearer s3cret-scrap"}).status_code == 401
    response = client.get(path, headers={"Authorization": "Bearer s3cret-scrape"})
    if path == "/metrics":
        assert response.status_code == 200 and "lab_queue_depth" in response.text
    else:
        assert "checks" in response.get_json()


def test_every_page_has_an_icon_and_favicon_ico_answers(app, candidate):
    icon = app.test_client().get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert icon.data.startswith(b"<svg") and "max-age=86400" in icon.headers["Cache-Control"]
    for path in ("/login", "/challenges", "/profile"):
        page = (candidate if path != "/login" else app.test_client()).get(path)
        assert page.status_code == 200, path
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page.text

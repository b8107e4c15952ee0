"""The JSON API: happy path with a stubbed queue, and every kind of bad input."""

import json

import pytest

from lab.extensions import db
from lab.models import Submission

GOOD = "def retry(times, exceptions=(Exception,)):\n    return lambda f: f\n"


def auth(token):
    return {"Authorization": f"Bearer {token}"}


def post(client, token, body, **kw):
    return client.post("/api/v1/submissions", headers=auth(token), json=body, **kw)


def test_list_and_get_challenges(app, token):
    client = app.test_client()
    listing = client.get("/api/v1/challenges", headers=auth(token)).get_json()["challenges"]
    ids = {c["id"] for c in listing}
    assert "examples/retry-decorator" in ids
    assert set(listing[0]) >= {"id", "title", "kind", "topics", "difficulty"}
    one = client.get("/api/v1/challenges/examples/retry-decorator", headers=auth(token)).get_json()
    assert one["editable"][0]["name"] == "solution.py" and "def retry" in one["editable"][0]["starter"]
    assert list(one["public_tests"]) == ["test_retry_public.py"]


def test_submit_is_stored_before_enqueue_and_returns_202(app, token):
    client = app.test_client()
    response = post(client, token, {"challenge": "examples/retry-decorator",
                                    "files": {"solution.py": GOOD}, "mode": "run"})
    assert response.status_code == 202
    sid = response.get_json()["id"]
    assert app.enqueued == [sid]
    with app.app_context():
        row = db.session.get(Submission, sid)
        assert row.status == "queued" and row.files["solution.py"] == GOOD and row.mode == "run"
    status = client.get(f"/api/v1/submissions/{sid}", headers=auth(token)).get_json()
    assert status["status"] == "queued" and status["verdict"] is None


def test_broker_outage_loses_nothing(app, token, monkeypatch):
    monkeypatch.setattr("lab.submissions.service.enqueue", lambda sid: False)
    response = post(app.test_client(), token, {"challenge": "examples/retry-decorator",
                                               "files": {"solution.py": GOOD}})
    assert response.status_code == 202
    with app.app_context():
        assert db.session.get(Submission, response.get_json()["id"]).status == "queued"


@pytest.mark.parametrize("body, status, words", [
    ({"challenge": "examples/nope", "files": {"solution.py": GOOD}}, 404, "No challenge"),
    ({"challenge": "examples/retry-decorator", "files": {"other.py": GOOD}}, 422, "'other.py'"),
    ({"challenge": "examples/retry-decorator", "files": {"../solution.py": GOOD}}, 422,
     "path separator"),
    ({"challenge": "examples/retry-decorator", "files": {"conftest.py": GOOD}}, 422, "conftest.py"),
    ({"challenge": "examples/retry-decorator", "files": {"solution.py": 7}}, 400, "text"),
    ({"challenge": "examples/retry-decorator", "files": []}, 400, "'files'"),
    ({"challenge": "examples/retry-decorator", "files": {"solution.py": GOOD}, "mode": "x"}, 400,
     "'mode'"),
    ({"files": {"solution.py": GOOD}}, 400, "'challenge'"),
    ({"challenge": "examples/retry-decorator", "files": {"solution.py": "x" * 200_000}}, 422,
     "over the 128 KiB"),
])
def test_bad_submissions_are_refused_clearly(app, token, body, status, words):
    response = post(app.test_client(), token, body)
    assert response.status_code == status
    assert words in response.get_json()["error"]
    assert app.enqueued == []
    with app.app_context():
        assert db.session.query(Submission).count() == 0


def test_not_json_and_not_utf8(app, token):
    client = app.test_client()
    r = client.post("/api/v1/submissions", headers=auth(token), data="challenge=x",
                    content_type="application/x-www-form-urlencoded")
    assert r.status_code == 400 and "JSON" in r.get_json()["error"]
    for data, message in [
        (b'{"a": "\xff"}', "The body is not UTF-8 (byte 7)."),
        (b'{"challenge": "examples/retry-decorator",\n "files": }',
         "The body is not valid JSON: Expecting value (line 2, column 11)."),
        (b'{"challenge": "x"', "The body is not valid JSON: Expecting ',' delimiter (line 1, column 18)."),
        (b"[" * 100_000, "The body is not valid JSON: nested too deeply."),
        (b"", "The body is empty: send a JSON object {challenge, files, mode}."),
        (b'["examples/retry-decorator"]',
         "The body must be a JSON object {challenge, files, mode}, not an array."),
    ]:
        r = client.post("/api/v1/submissions", headers=auth(token), data=data,
                        content_type="application/json")
        assert r.status_code == 400 and r.get_json()["error"] == message, (data[:40], r.get_json())
    assert app.enqueued == []



@pytest.mark.parametrize("method, path", [
    ("post", "/api/v1/interviews"),
    ("put", "/api/v1/interviews/1/items/1/draft"),
    ("put", "/api/v1/interviews/1/items/1/answer"),
    ("post", "/api/v1/interviews/1/items/1/submissions"),
])
def test_interview_api_says_what_is_wrong_with_the_body(app, token, method, path):
    client = app.test_client()
    for data, start in [(b'{"files": "\xff"}', "The body is not UTF-8 (byte 11)."),
                        (b'{"template": 1', "The body is not valid JSON: Expecting ',' delimiter "
                                             "(line 1, column 15)."),
                        (b"", "The body is empty: send a JSON object {"),
                        (b"[1]", "The body must be a JSON object {")]:
        r = getattr(client, method)(path, headers=auth(token), data=data, content_type="application/json")
        assert r.status_code == 400 and r.get_json()["error"].startswith(start), (path, data, r.get_json())

def test_body_over_cap_is_413_and_states_the_cap(app, token, candidate):
    blob = json.dumps({"challenge": "examples/retry-decorator",
                       "files": {"solution.py": "x" * (2 * 1024 * 1024)}})
    r = app.test_client().post("/api/v1/submissions", headers=auth(token), data=blob,
                               content_type="application/json")
    assert r.status_code == 413
    assert r.get_json()["error"] == ("The request body (2048.1 KiB) is over the 1024 KiB cap set "
                                     "by LAB_MAX_REQUEST_KB.")
    # Elsewhere a readable page says the same.
    page = candidate.post("/challenges/examples/retry-decorator/submissions",
                          data={"file:solution.py": "x" * (2 * 1024 * 1024), "mode": "run",
                                "csrf_token": candidate.csrf})
    assert page.status_code == 413 and page.mimetype == "text/html"
    assert "is over the 1024 KiB cap set by LAB_MAX_REQUEST_KB." in page.text
    assert app.enqueued == []


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"},
                                     {"Authorization": "Basic abc"}, {"Authorization": "Bearer "}])
def test_missing_or_bad_token_is_401(app, headers):
    r = app.test_client().get("/api/v1/challenges", headers=headers)
    assert r.status_code == 401 and "error" in r.get_json()


def test_other_users_submission_is_404(app, token, candidate):
    r = candidate.post("/challenges/examples/retry-decorator/submissions",
                       data={"file:solution.py": GOOD, "mode": "run", "csrf_token": candidate.csrf},
                       headers={"Accept": "application/json"})
    sid = r.get_json()["id"]
    assert app.test_client().get(f"/api/v1/submissions/{sid}",
                                 headers=auth(token)).status_code == 404


def test_session_write_needs_csrf_header(app, candidate):
    body = {"challenge": "examples/retry-decorator", "files": {"solution.py": GOOD}}
    assert candidate.post("/api/v1/submissions", json=body).status_code == 400
    ok = candidate.post("/api/v1/submissions", json=body, headers={"X-CSRFToken": candidate.csrf})
    assert ok.status_code == 202


def test_unknown_api_path_is_json_404(app, token):
    r = app.test_client().get("/api/v1/nothing", headers=auth(token))
    assert r.status_code == 404 and "error" in r.get_json()


def test_openapi_document(app):
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.") and "/submissions" in doc["paths"]
    submission = doc["components"]["schemas"]["Submission"]["properties"]
    assert submission["score"]["type"] == submission["max_score"]["type"] == "number"  # 2.5 happens


def test_openapi_describes_every_api_route(app):
    import re

    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    described = {(re.sub(r"\{[^}]+\}", "{}", path), method.upper())
                 for path, ops in doc["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api.openapi":
            continue
        path = re.sub(r"<(?:[^:>]+:)?[^>]+>", "{}", rule.rule[len("/api/v1"):])
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in described, f"{method} {rule.rule} is not in the OpenAPI document"


def test_every_openapi_path_is_an_api_route(app):
    import re

    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    routed = {(re.sub(r"<(?:[^:>]+:)?[^>]+>", "{}", rule.rule[len("/api/v1"):]), method)
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    for path, operations in doc["paths"].items():
        for method in operations:
            assert (re.sub(r"\{[^}]+\}", "{}", path), method.upper()) in routed, (
                f"{method.upper()} {path} is described but no route answers it")

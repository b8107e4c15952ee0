"""Every GET route of the app, for every role: reachable by who should, refused to
who should not.  A new route without an entry here fails the test."""

import pytest

from lab.extensions import db
from lab.models import PackUpload, Submission
from tests.web.conftest import login, make_user
from tests.web.interview_helpers import add_template

# endpoint -> (anonymous, candidate, instructor, admin) expected status
EXPECTED = {
    "catalog.index": (302, 302, 302, 302),
    "catalog.challenges": (302, 200, 200, 200),
    "catalog.challenge": (302, 200, 200, 200),
    "submissions.show": (302, 200, 200, 200),
    "submissions.panel": (302, 200, 200, 200),
    "submissions.events": (302, 200, 200, 200),
    "submissions.diff": (302, 200, 200, 200),
    "submissions.history": (302, 200, 200, 200),
    "profile.show": (302, 200, 200, 200),
    "instructor.index": (302, 403, 200, 200),
    "instructor.show_upload": (302, 403, 200, 200),
    "auth.signup": (200, 200, 200, 200),
    "auth.login": (200, 200, 200, 200),
    "api.list_challenges": (401, 200, 200, 200),
    "api.get_challenge": (401, 200, 200, 200),
    "api.get_submission": (401, 200, 404, 404),  # only the owner sees a submission via the API
    "api.openapi": (200, 200, 200, 200),
    "health.healthz": (503, 503, 503, 503),  # no broker in these tests
    "health.livez": (200, 200, 200, 200),
    "metrics.prometheus": (200, 200, 200, 200),
    "static": (200, 200, 200, 200),
    # a running interview of the candidate: others get 404, review waits for the end
    "interviews.index": (302, 200, 200, 200),
    "interviews.show": (302, 302, 404, 404),  # the owner is sent to its first item
    "interviews.clock": (302, 200, 404, 404),
    "interviews.item": (302, 200, 404, 404),
    "interviews.review": (302, 403, 404, 404),
    "interview_api.list_templates": (401, 200, 200, 200),
    "interview_api.show": (401, 200, 404, 404),
}
ARGS = {"pack": "examples", "slug": "retry-decorator", "filename": "lab.css", "number": 1}


def test_every_get_route_is_in_the_matrix(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if "GET" in r.methods}
    assert endpoints == set(EXPECTED)


@pytest.mark.parametrize("role_index, role", list(enumerate(["anonymous", "candidate", "instructor",
                                                             "admin"])))
def test_route_matrix(app, role_index, role):
    owner = app.test_client()
    make_user(app, "owner@example.com")
    csrf = login(owner, "owner@example.com")
    owner.post("/challenges/examples/retry-decorator/submissions",
               data={"file:solution.py": "x = 1\n", "mode": "run", "csrf_token": csrf})
    started = owner.post("/interviews/start", data={"template": add_template(app, 600),
                                                    "csrf_token": csrf})
    interview_id = int(started.headers["Location"].split("/")[2])
    with app.app_context():
        submission_id = db.session.query(Submission).one().id
        upload = PackUpload(user_id=1, filename="x.zip", data=b"", status="done", ok=False,
                            report={"problems": ["example"]})
        db.session.add(upload)
        db.session.commit()
        upload_id = upload.id
    client = app.test_client()
    if role == "candidate":
        client = owner
    elif role != "anonymous":
        make_user(app, f"{role}@example.com", role)
        login(client, f"{role}@example.com")
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods:
                continue
            args = {k: (submission_id if k == "submission_id" else
                        upload_id if k == "upload_id" else
                        interview_id if k == "interview_id" else ARGS[k]) for k in rule.arguments}
            url = url_for(rule.endpoint, **args)
            status = client.get(url).status_code
            assert status == EXPECTED[rule.endpoint][role_index], (role, url, status)

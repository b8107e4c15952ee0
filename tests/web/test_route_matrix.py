"""Every route of the app, for every role: reachable by who should, refused to who
should not.  GET routes are requested with real ids; write routes (POST/PUT) with a valid
CSRF token (or an API bearer token) and harmless bodies, so that what is checked is the
authorisation, and again without a CSRF token.  A new route without an entry here fails."""

import re
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest
from flask import url_for

from lab.extensions import db
from lab.models import (
    Draft,
    Interview,
    InterviewItem,
    InterviewNote,
    InterviewReview,
    InterviewSection,
    InterviewTimelineBatch,
    InterviewWatcher,
    Pack,
    PackUpload,
    Submission,
    User,
)
from tests.helpers import PASSWORD, csrf_of, login, make_user
from tests.web.interview_helpers import add_template

# endpoint -> (anonymous, candidate, instructor, admin) expected status
EXPECTED = {
    "catalog.index": (200, 302, 302, 302),  # the landing page, or the catalog when signed in
    "catalog.challenges": (302, 200, 200, 200),
    "catalog.challenge": (302, 200, 200, 200),
    "submissions.show": (302, 200, 200, 200),
    "submissions.panel": (302, 200, 200, 200),
    "submissions.events": (302, 200, 200, 200),
    "submissions.diff": (302, 200, 200, 200),
    "submissions.history": (302, 200, 200, 200),
    "submissions.compare": (302, 400, 400, 400),  # no ?a=&b=: says to pick two
    "profile.show": (302, 200, 200, 200),
    "instructor.index": (302, 403, 200, 200),
    "instructor.show_upload": (302, 403, 200, 200),
    "instructor.interview_stats": (302, 403, 200, 200),
    "instructor.interview_template_stats": (302, 403, 200, 200),
    "auth.signup": (200, 200, 200, 200),
    "auth.login": (200, 200, 200, 200),
    "auth.session_state": (200, 200, 200, 200),  # says whether signed in; no data
    "api.list_challenges": (401, 200, 200, 200),
    "api.get_challenge": (401, 200, 200, 200),
    "api.get_submission": (401, 200, 404, 404),  # only the owner sees a submission via the API
    "api.openapi": (200, 200, 200, 200),
    "health.healthz": (503, 503, 503, 503),  # no broker in these tests
    "health.livez": (200, 200, 200, 200),
    "metrics.prometheus": (401, 403, 403, 200),  # admins (or LAB_METRICS_TOKEN) only
    "static": (200, 200, 200, 200),
    "favicon": (200, 200, 200, 200),  # the site icon, the same for everyone
    # a running interview of the candidate: others get 404, review waits for the end
    "interviews.index": (302, 200, 200, 200),
    "interviews.show": (302, 302, 404, 404),  # the owner is sent to its first item
    "interviews.clock": (302, 200, 404, 404),
    "interviews.item": (302, 200, 404, 404),
    "interviews.review": (302, 403, 404, 404),
    "api.list_interview_templates": (401, 200, 200, 200),
    "api.get_interview": (401, 200, 404, 404),
    "api.interview_stats": (401, 403, 200, 200),  # aggregates, for instructors and admins
    # the live view: only a watcher of that interview (see INTERVIEWER); an admin may join
    "watch.invite": (302, 404, 404, 404),  # a link nobody made
    "watch.interview": (302, 404, 404, 200),  # the admin's page offers to join
    "watch.state": (302, 404, 404, 404),
    "watch.events": (302, 404, 404, 404),
    # playback opens when the interview is over (403 while it runs)
    "interviews.timeline_export": (302, 403, 404, 404),
    "interviews.replay": (302, 403, 404, 404),
    "watch.timeline_export": (302, 404, 404, 404),
    "watch.replay": (302, 404, 404, 404),
    "api.list_watchers": (401, 200, 404, 404),
    "api.own_timeline": (401, 403, 404, 404),
    "api.watched_state": (401, 404, 404, 404),
    "api.list_notes": (401, 404, 404, 404),
    "api.get_review": (401, 404, 404, 404),
    "api.watched_timeline": (401, 404, 404, 404),
}
# The fifth role: a candidate account that accepted an invite to the owner's interview.
# It sees that interview's live view and nothing else of the owner.
INTERVIEWER = {endpoint: EXPECTED[endpoint][1] for endpoint in EXPECTED} | {
    "submissions.show": 404, "submissions.panel": 404, "submissions.events": 404,
    "submissions.diff": 404,
    "interviews.show": 404, "interviews.clock": 404, "interviews.item": 404,
    "interviews.review": 404, "api.get_submission": 404, "api.get_interview": 404,
    "watch.interview": 200, "watch.state": 200, "watch.events": 200,
    "interviews.timeline_export": 404, "interviews.replay": 404,
    "watch.timeline_export": 403, "watch.replay": 403,
    "api.list_watchers": 404, "api.own_timeline": 404, "api.watched_state": 200,
    "api.list_notes": 200, "api.get_review": 200, "api.watched_timeline": 403,
}
ARGS = {"pack": "examples", "slug": "retry-decorator", "filename": "lab.css", "number": 1,
        "token": "A" * 32}


def test_every_get_route_is_in_the_matrix(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if "GET" in r.methods}
    assert endpoints == set(EXPECTED)


@pytest.mark.parametrize("role_index, role", list(enumerate(["anonymous", "candidate", "instructor",
                                                             "admin", "interviewer"])))
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
        template_id = db.session.get(Interview, interview_id).template_id
    client = app.test_client()
    expected = INTERVIEWER if role == "interviewer" else {
        endpoint: statuses[role_index] for endpoint, statuses in EXPECTED.items()}
    if role == "candidate":
        client = owner
    elif role == "interviewer":
        make_user(app, "coach@example.com")
        login(client, "coach@example.com")
        made = owner.post(f"/interviews/{interview_id}/watchers", data={"csrf_token": csrf})
        link = re.search(r'id="invite-link" value="[^"]+/watch/([^"]+)"',
                         owner.get(made.headers["Location"]).text).group(1)
        assert client.post(f"/watch/{link}", data={"csrf_token": csrf_of(
            client.get(f"/watch/{link}").text)}).status_code == 303
    elif role != "anonymous":
        make_user(app, f"{role}@example.com", role)
        login(client, f"{role}@example.com")
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods:
                continue
            args = {k: (submission_id if k == "submission_id" else
                        upload_id if k == "upload_id" else
                        interview_id if k == "interview_id" else
                        template_id if k == "template_id" else ARGS[k]) for k in rule.arguments}
            url = url_for(rule.endpoint, **args)
            status = client.get(url).status_code
            assert status == expected[rule.endpoint], (role, url, status)


# Write routes (every method but GET/HEAD/OPTIONS).  kind "form": form fields and a
# csrf_token field; "json": a JSON body and the X-CSRFToken header (the editor's fetches);
# "api": /api/v1, sent once with the session and X-CSRFToken, once with a bearer token only.
# Ids in paths never exist (FAKE) and bodies are empty or merely well-formed, so no request
# changes anything (checked); a route of an interview is sent again at another
# candidate's running interview, which nobody but its owner may touch.
class Write(NamedTuple):
    kind: str
    body: dict
    expected: tuple[int, int, int, int]  # anonymous, candidate, instructor, admin


ROLES = ("anonymous", "candidate", "instructor", "admin")
NOT_FOUND = (302, 404, 404, 404)  # anonymous to /login; logged in: no such challenge/interview
API_NOT_FOUND = (401, 404, 404, 404)
WRITES = {
    ("auth.login", "POST"): Write("form", {}, (400, 400, 400, 400)),  # empty form: invalid
    ("auth.signup", "POST"): Write("form", {}, (400, 400, 400, 400)),
    ("auth.logout", "POST"): Write("form", {}, (302, 302, 302, 302)),  # to /login; sent last
    ("submissions.create", "POST"): Write("form", {"mode": "run"}, NOT_FOUND),
    ("submissions.answer_quiz", "POST"): Write("form", {}, NOT_FOUND),
    ("submissions.reset", "POST"): Write("form", {}, NOT_FOUND),
    ("submissions.load", "POST"): Write("form", {}, NOT_FOUND),
    ("submissions.save_draft", "PUT"): Write("json", {"files": {}}, NOT_FOUND),
    ("instructor.upload", "POST"): Write("form", {}, (302, 403, 400, 400)),  # 400: no zip
    ("instructor.set_enabled", "POST"): Write("form", {"enabled": "0"}, (302, 403, 404, 404)),
    ("interviews.start", "POST"): Write("form", {"template": "nope/nope"}, NOT_FOUND),
    ("interviews.save_draft", "PUT"): Write("json", {"files": {}}, NOT_FOUND),
    ("interviews.submit", "POST"): Write("form", {"mode": "run"}, NOT_FOUND),
    ("interviews.answer", "POST"): Write("form", {}, NOT_FOUND),
    ("interviews.hint", "POST"): Write("form", {}, NOT_FOUND),
    ("interviews.spent", "POST"): Write("json", {"seconds": 1}, NOT_FOUND),
    ("interviews.finish", "POST"): Write("form", {}, NOT_FOUND),
    ("interviews.record_timeline", "POST"): Write("json", {"session": "s" * 8, "events": []},
                                                  NOT_FOUND),
    ("interviews.invite", "POST"): Write("form", {}, NOT_FOUND),
    ("interviews.revoke_watcher", "POST"): Write("form", {}, NOT_FOUND),
    ("watch.accept", "POST"): Write("form", {}, NOT_FOUND),  # a link nobody made
    ("watch.join", "POST"): Write("form", {}, NOT_FOUND),  # no such interview
    ("watch.add_note", "POST"): Write("json", {"body": "x", "item": 1}, NOT_FOUND),  # not watched
    ("watch.save_review", "POST"): Write("json", {"scores": {}}, NOT_FOUND),
    ("watch.share_review", "POST"): Write("form", {}, NOT_FOUND),
    ("api.create_submission", "POST"): Write("api", {"challenge": "nope/nope", "files": {}},
                                             API_NOT_FOUND),
    ("api.start_interview", "POST"): Write("api", {"template": "nope/nope"}, API_NOT_FOUND),
    ("api.save_interview_draft", "PUT"): Write("api", {"files": {}}, API_NOT_FOUND),
    ("api.save_interview_answer", "PUT"): Write("api", {"answer": 0}, API_NOT_FOUND),
    ("api.submit_interview_item", "POST"): Write("api", {"files": {}, "mode": "run"}, API_NOT_FOUND),
    ("api.finish_interview", "POST"): Write("api", {}, API_NOT_FOUND),
    ("api.create_invite", "POST"): Write("api", {}, API_NOT_FOUND),
    ("api.revoke_watcher", "POST"): Write("api", {}, API_NOT_FOUND),
    ("api.accept_invite", "POST"): Write("api", {}, API_NOT_FOUND),  # a link nobody made
    ("api.add_note", "POST"): Write("api", {"body": "x", "item": 1}, API_NOT_FOUND),
    ("api.save_review", "PUT"): Write("api", {"scores": {}}, API_NOT_FOUND),
    ("api.share_review", "POST"): Write("api", {}, API_NOT_FOUND),
}
FAKE = {"pack": "nope", "slug": "nope", "interview_id": 999_999, "number": 1, "pack_id": 999_999,
        "submission_id": 999_999, "watcher_id": 999_999, "token": "A" * 32}
# An admin joining another candidate's interview is a real write (tests/web/interviews/
# test_watchers.py): only its refusal on a missing interview is sent here.
JOINS_ANY_INTERVIEW = {"watch.join"}
PUBLIC = {"auth.login", "auth.signup"}
WATCHED = (User, Draft, Submission, Pack, PackUpload, Interview, InterviewSection, InterviewItem,
           InterviewWatcher, InterviewNote, InterviewReview, InterviewTimelineBatch)


def _write_rules(app) -> list:
    """(rule, method) for every write method; logout last, as it ends the session."""
    pairs = [(rule, method) for rule in app.url_map.iter_rules()
             for method in sorted(rule.methods - {"GET", "HEAD", "OPTIONS"})]
    return sorted(pairs, key=lambda pair: (pair[0].endpoint == "auth.logout", pair[0].endpoint))


def _url(app, rule, **ids) -> str:
    with app.test_request_context():
        return url_for(rule.endpoint, **{k: ids.get(k, FAKE[k]) for k in rule.arguments})


def _send(client, method: str, url: str, write: Write, csrf: str | None, bearer: str | None = None):
    if write.kind == "form":
        data = write.body if csrf is None else {**write.body, "csrf_token": csrf}
        return client.open(url, method=method, data=data)
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    if csrf is not None:
        headers["X-CSRFToken"] = csrf
    return client.open(url, method=method, json=write.body, headers=headers)


def _said(response) -> str:
    """What a response says, short: a JSON error, an error page's message, else the text."""
    if response.is_json:
        return str(response.get_json())[:300]
    text = response.get_data(as_text=True)
    message = re.search(r'class="error">([^<]*)<', text)
    return (message.group(1) if message else " ".join(re.sub(r"<[^>]*>", " ", text).split()))[:300]


def _problem(response, expected: int) -> str | None:
    status = response.status_code
    if status != expected:
        return f"{status}, expected {expected}: {_said(response)!r}"
    if status == 302 and urlsplit(response.headers["Location"]).path != "/login":
        return f"302 to {response.headers['Location']}, expected /login"
    if status == 401 and not (response.is_json and response.get_json().get("error")):
        return f"401 without a JSON error: {_said(response)!r}"
    return None


def _snapshot(app) -> dict:
    with app.app_context():
        return {model.__tablename__: [tuple(getattr(row, attr.key) for attr in
                                            db.inspect(model).column_attrs)
                                      for row in db.session.scalars(db.select(model).order_by(model.id))]
                for model in WATCHED}


def _as(app, role: str):
    """A client logged in as `role` (nobody for anonymous), its CSRF token, and an API token
    of the same user (for anonymous a token nobody has)."""
    client = app.test_client()
    if role == "anonymous":
        return client, csrf_of(client.get("/login").text), "not-a-token"
    make_user(app, f"{role}@example.com", role)
    csrf = login(client, f"{role}@example.com")
    with app.app_context():
        user = db.session.scalars(db.select(User).filter_by(email=f"{role}@example.com")).one()
        bearer = user.new_api_token()
        db.session.commit()
    return client, csrf, bearer


def _running_interview(app) -> int:
    """Another candidate's running interview (the owner never logs in: no password hashing)."""
    from lab.interviews.service import find_template, start_interview

    template = add_template(app, 600)
    with app.app_context():
        owner = User(email="owner@example.com", role="candidate", password_hash="!")
        db.session.add(owner)
        db.session.commit()
        return start_interview(owner, find_template(template)).id


def test_every_write_route_is_in_the_matrix(app):
    assert {(rule.endpoint, method) for rule, method in _write_rules(app)} == set(WRITES)


def test_write_matrix_follows_the_policy():
    """The table itself: anonymous to /login (pages) or 401 (API), candidates refused only,
    and always, on instructor routes, instructors and admins never refused, no 5xx."""
    for (endpoint, _method), write in WRITES.items():
        anonymous, candidate, instructor, admin = write.expected
        assert anonymous == (401 if write.kind == "api" else 400 if endpoint in PUBLIC else 302)
        assert (candidate == 403) == endpoint.startswith("instructor."), endpoint
        assert instructor not in (401, 403) and admin not in (401, 403), endpoint
        assert max(write.expected) < 500, endpoint


@pytest.mark.parametrize("role_index, role", list(enumerate(ROLES)))
def test_write_route_matrix(app, role_index, role):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # an exception is a 500 named below, not a stop
    foreign = _running_interview(app)
    client, csrf, bearer = _as(app, role)
    before = _snapshot(app)
    failures = []
    for rule, method in _write_rules(app):
        write = WRITES[(rule.endpoint, method)]
        targets = ([{}, {"interview_id": foreign}] if "interview_id" in rule.arguments
                   and rule.endpoint not in JOINS_ANY_INTERVIEW else [{}])
        for ids in targets:
            url = _url(app, rule, **ids)
            sent = [("session", _send(client, method, url, write, csrf))]
            if write.kind == "api":
                sent.append(("bearer", _send(app.test_client(), method, url, write, None, bearer)))
            for how, response in sent:
                problem = _problem(response, write.expected[role_index])
                if problem:
                    failures.append(f"{method} {url} as {role} ({how}): {problem}")
    assert not failures, "\n".join(failures)
    assert _snapshot(app) == before, f"a write as {role} changed the database"


def test_session_writes_without_a_valid_csrf_token_are_refused(app, candidate):
    """Every write with the session cookie carries CSRF: forms and the editor's JSON (Flask-WTF),
    and the API when authenticated by the session (its own check); missing or forged: 400."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    before = _snapshot(app)
    failures = []
    for rule, method in _write_rules(app):
        write = WRITES[(rule.endpoint, method)]
        url = _url(app, rule)
        for token in (None, "forged"):
            response = _send(candidate, method, url, write, token)
            said = _said(response)
            if response.status_code != 400 or "CSRF" not in said:
                failures.append(f"{method} {url} with CSRF token {token!r}: {response.status_code} "
                                f"{said!r}")
    assert not failures, "\n".join(failures)
    assert candidate.get("/profile").status_code == 200  # the logout was refused too
    assert _snapshot(app) == before


# Log-in's ?next= (the one write whose body is a real credential): only a path of this site.
# A tab is dropped by the URL parser on the way out (`/<TAB>/evil.com` leaves as `//evil.com`,
# another site); CR/LF cannot go into a header at all (a 500 today).
NEXT_TARGETS = ["/challenges?topic=py.testing", "//evil.com", "/%5Cevil.com", "https://evil.com",
                "/%09/evil.com", "/%0a/evil.com", "/x%0d%0aSet-Cookie:%20a=b"]


def test_login_redirects_only_within_the_site(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    make_user(app, "next@example.com")
    failures = []
    for target in NEXT_TARGETS:
        client = app.test_client()
        form = {"email": "next@example.com", "password": PASSWORD,
                "csrf_token": csrf_of(client.get("/login").text)}
        response = client.post(f"/login?next={target}", data=form)
        location = response.headers.get("Location", "")
        parts = urlsplit(location)
        if (response.status_code != 302 or parts.scheme or parts.netloc or not location.startswith("/")
                or location.startswith("//") or any(c in location for c in "\\\t\r\n")):
            failures.append(f"POST /login?next={target}: {response.status_code} to {location!r}")
    assert not failures, "\n".join(failures)

"""Every page and role: who sees what."""

import pytest

from tests.helpers import csrf_of, make_user

CANDIDATE_PAGES = ["/challenges", "/challenges?topic=py.generators&kind=python&difficulty=medium",
                   "/challenges/examples/retry-decorator", "/profile",
                   "/challenges/examples/retry-decorator/history"]


@pytest.mark.parametrize("path", CANDIDATE_PAGES + ["/instructor/"])
def test_anonymous_is_sent_to_login(app, path):
    response = app.test_client().get(path)
    assert response.status_code == 302 and "/login" in response.location


@pytest.mark.parametrize("path", CANDIDATE_PAGES)
def test_candidate_pages(candidate, path):
    response = candidate.get(path)
    assert response.status_code == 200


def test_catalog_filters(candidate):
    page = candidate.get("/challenges?topic=py.context").text
    assert "Timer context manager" in page or "timer" in page.lower()
    assert "Retry decorator" not in page
    assert "No challenge matches" in candidate.get("/challenges?kind=nothing").text


def test_catalog_search_names_and_clear(candidate):
    """Text search over titles and topics (ids and names), topic names grouped by area,
    a count of what is shown, and a way back to everything."""
    everything = candidate.get("/challenges").text
    assert 'id="clear-filters"' not in everything
    assert '<optgroup label="Python">' in everything and '<optgroup label="REST APIs">' in everything
    assert '<option value="py.decorators" >Decorators</option>' in everything
    assert '<span title="py.decorators">Decorators</span>' in everything
    found = candidate.get("/challenges?q=retry+DECORATOR").text
    assert "Retry decorator with arguments" in found and "Timer context manager" not in found
    assert 'id="clear-filters"' in found and 'value="retry DECORATOR"' in found
    by_topic_name = candidate.get("/challenges?q=context+managers").text
    assert "Retry decorator" not in by_topic_name and "No challenge matches" not in by_topic_name
    count = candidate.get("/challenges?q=zzzz-nothing").text
    assert "No challenge matches" in count and ">0 of " in count
    hostile = candidate.get("/challenges?q=" + "<script>" * 30)
    assert hostile.status_code == 200 and "<script><script>" not in hostile.text


def test_instructor_page_roles(candidate, instructor_client):
    assert candidate.get("/instructor/").status_code == 403
    page = instructor_client.get("/instructor/")
    assert page.status_code == 200 and "examples/retry-decorator" in page.text


def test_unknown_challenge_is_404(candidate):
    assert candidate.get("/challenges/examples/nope").status_code == 404


def test_challenge_page_has_editor_contract(candidate):
    page = candidate.get("/challenges/examples/retry-decorator").text
    assert 'id="solve-form"' in page and 'name="file:solution.py"' in page
    assert 'aria-live="polite"' in page and "Esc, then Tab" in page
    assert "hidden suite that decides the score" in page


def test_signup_login_logout(app):
    client = app.test_client()
    token = csrf_of(client.get("/signup").text)
    response = client.post("/signup", data={"email": "New@Example.com", "password": "longenough1",
                                            "confirm": "longenough1", "csrf_token": token})
    # Sign-up never signs in (that would tell a new email from a taken one): log in next.
    assert response.status_code == 303 and response.location.endswith("/login")
    assert client.get("/challenges").status_code == 302
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"email": "new@example.com", "password": "longenough1",
                                           "csrf_token": token})
    assert response.status_code == 302
    assert client.get("/challenges").status_code == 200
    token = csrf_of(client.get("/challenges").text)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/challenges").status_code == 302


@pytest.mark.parametrize("form, words", [
    ({"email": "not-an-email", "password": "longenough1", "confirm": "longenough1"},
     "valid email"),
    ({"email": "a@b.io", "password": "short", "confirm": "short"}, "8 to 200"),
    ({"email": "a@b.io", "password": "longenough1", "confirm": "different1"}, "differ"),
    ({"email": "", "password": "", "confirm": ""}, "required"),
])
def test_signup_errors_are_shown(app, form, words):
    client = app.test_client()
    token = csrf_of(client.get("/signup").text)
    response = client.post("/signup", data={**form, "csrf_token": token})
    assert response.status_code == 400 and words in response.text


def test_duplicate_signup_keeps_the_first_account(app):
    make_user(app, "dup@example.com")
    client = app.test_client()
    token = csrf_of(client.get("/signup").text)
    response = client.post("/signup", data={"email": "dup@example.com", "password": "otherpass1",
                                            "confirm": "otherpass1", "csrf_token": token})
    assert response.status_code == 303  # the answer a new email gets (tests/web/accounts/test_login_abuse.py)
    from tests.helpers import login
    login(app.test_client(), "dup@example.com")  # the original password still works


def test_wrong_password(app):
    make_user(app, "w@example.com")
    client = app.test_client()
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"email": "w@example.com", "password": "nope-nope",
                                           "csrf_token": token})
    assert response.status_code == 400 and "wrong" in response.text


def test_forms_without_csrf_are_refused(app):
    make_user(app, "c@example.com")
    client = app.test_client()
    assert client.post("/login", data={"email": "c@example.com",
                                       "password": "correct horse 1"}).status_code == 400
    assert client.get("/challenges").status_code == 302  # not logged in


def test_login_next_does_not_redirect_off_site(app):
    make_user(app, "n@example.com")
    client = app.test_client()
    token = csrf_of(client.get("/login").text)
    response = client.post("/login?next=//evil.example/x", data={
        "email": "n@example.com", "password": "correct horse 1", "csrf_token": token})
    assert response.location in ("/", "/challenges") or response.location.endswith("/")


def test_healthz_reports_each_part(app):
    from tests.helpers import login

    client = app.test_client()
    make_user(app, "root@example.com", "admin")
    login(client, "root@example.com")  # the parts are shown to admins only
    response = client.get("/healthz")
    body = response.get_json()
    assert set(body["checks"]) == {"database", "broker", "workers", "docker", "runtime"}
    assert body["checks"]["database"]["ok"] is True
    assert response.status_code == 503 and body["checks"]["broker"]["ok"] is False


def test_profile_chart(candidate):
    page = candidate.get("/profile").text
    chart = page.split("<svg")[1].split("</svg>")[0]
    # Topics by name (a long one cut to fit, whole in its tooltip), not by id.
    assert '<text x="0" y="25" class="label">' in chart and ">Decorators<" in chart
    assert "py.decorators" not in chart
    assert page.index("Solved (") < page.index("<svg")  # the lists come before the long chart


def test_profile_counts_a_solved_challenge_once(app, candidate):
    """Solved or attempted, as the catalog marks them: never both."""
    from lab.extensions import db
    from lab.models import Challenge, Submission, User

    with app.app_context():
        user = db.session.query(User).filter_by(email="cand@example.com").one()
        hands_on = db.session.query(Challenge).filter(Challenge.kind != "quiz").limit(3).all()
        outcomes = [("submit", "passed"), ("submit", "failed"), ("run", "passed")]
        for challenge, (mode, verdict) in zip(hands_on, outcomes, strict=True):
            db.session.add(Submission(user_id=user.id, challenge_id=challenge.id, mode=mode,
                                      files={}, status="done", verdict=verdict))
        # the solved one was also failed before: still one solved challenge
        db.session.add(Submission(user_id=user.id, challenge_id=hands_on[0].id, mode="submit",
                                  files={}, status="done", verdict="failed"))
        db.session.commit()
        titles = [c.title for c in hands_on]
    page = candidate.get("/profile").text
    assert "1 solved, 2 attempted but not solved yet." in page
    solved = page[page.index("<h2>Solved (1)</h2>"):page.index("<h2>Attempted, not solved yet (2)</h2>")]
    attempted = page[page.index("<h2>Attempted, not solved yet (2)</h2>"):page.index("<h2>Per topic</h2>")]
    assert titles[0] in solved and titles[1] not in solved and titles[2] not in solved
    assert titles[1] in attempted and titles[2] in attempted and titles[0] not in attempted


def test_markdown_prompt_is_rendered_safely(app, candidate):
    from lab.extensions import db
    from lab.models import Challenge

    with app.app_context():
        challenge = db.session.query(Challenge).filter_by(slug="retry-decorator").one()
        challenge.prompt_md = ("# Title\n<script>alert(1)</script>\n"
                               "[x](javascript:alert(1)) <img src=x onerror=alert(1)>")
        db.session.commit()
    page = candidate.get("/challenges/examples/retry-decorator").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert 'href="javascript:' not in page and "<img src=x" not in page


def test_the_challenge_page_says_its_title_once_and_renders_hints(candidate):
    """prompt.md starts with its own `# heading`; the page already has the title as h1."""
    page = candidate.get("/challenges/examples/retry-decorator").text
    assert page.count("<h1") == 1 and "<h1>Retry decorator</h1>" not in page
    assert "Write <code>retry(times, exceptions=(Exception,))</code>" in page  # the prompt stays
    hints = page[page.index("<h2>Hints</h2>"):page.index("<h2>Public tests</h2>")]
    assert hints.count("<details>") >= 1 and "<p>" in hints and "`" not in hints


def test_the_landing_page_says_what_the_lab_is_with_a_sample_task(app, candidate):
    import html

    page = app.test_client().get("/")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Practise the backend interview" in text and 'href="/signup"' in text
    assert "A sample task: Retry decorator with arguments" in text
    assert "def retry(" in text  # the starter, readable without an account
    assert "test_retry_hidden" not in text and "solution/" not in text
    signed_in = candidate.get("/")
    assert signed_in.status_code == 302 and signed_in.location.endswith("/challenges")


def test_the_sandbox_versions_line_takes_only_what_it_can_show(app, candidate, monkeypatch):
    """What a worker left in Redis is shown under the editor; anything else there (not
    JSON, not an object, markup) shows nothing or shows as text, and the page works."""
    from lab.practice import sandbox_versions

    class Stored:
        value = b""

        def get(self, key):
            return self.value

    stored = Stored()
    monkeypatch.setattr(sandbox_versions, "redis_client", lambda *a, **k: stored)
    page = "/challenges/examples/retry-decorator"
    for raw, shown in ((b'{"Python": "3.11.2", "pytest": "8.3.4", "Flask": "3.1.0"}',
                        "Your code runs with Python 3.11.2 · pytest 8.3.4 · Flask 3.1.0."),
                       (b'{"Python": "<script>x</script>"}',
                        "Your code runs with Python &lt;script&gt;x&lt;/script&gt;."),
                       (b"not json", None), (b"[1, 2]", None), (b"", None)):
        stored.value = raw
        sandbox_versions._cache.clear()
        text = candidate.get(page).text
        if shown is None:
            assert 'id="sandbox-versions"' not in text, raw
        else:
            assert shown in text, raw
    sandbox_versions._cache.clear()
    # A Dockerfile task builds on its own base image: the runner's versions are not its.
    stored.value = b'{"Python": "3.11.2"}'
    dockerfile_task = candidate.get("/challenges/docker-images/layer-cache-order").text
    assert 'id="solve-form"' in dockerfile_task and 'id="sandbox-versions"' not in dockerfile_task
    sandbox_versions._cache.clear()


def test_an_id_past_any_database_integer_is_404_on_every_route(app, instructor_client):
    """Every route with a number in its path, given one no id column can hold: no route
    matches (404); before, the query overflowed into a server error."""
    from flask import url_for

    numbered = [rule for rule in app.url_map.iter_rules() if "GET" in rule.methods
                and any(k.endswith("_id") or k == "number" for k in rule.arguments)]
    assert len(numbered) >= 8
    for rule in numbered:
        with app.test_request_context():
            url = url_for(rule.endpoint, **{k: 1 if k.endswith("_id") or k == "number" else "x"
                                            for k in rule.arguments})
        for huge in (2**31, 10**30):
            attack = "/".join(str(huge) if part == "1" else part for part in url.split("/"))
            assert str(huge) in attack, url
            assert instructor_client.get(attack).status_code == 404, attack

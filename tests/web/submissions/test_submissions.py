"""Run/Submit from the page, drafts, reset, history and diff (queue stubbed)."""

import re

from lab.extensions import db
from lab.models import Draft, Submission

URL = "/challenges/examples/retry-decorator"
CODE = "def retry(times):\n    return lambda f: f\n"


def test_form_submit_without_js_redirects_to_result_page(app, candidate):
    r = candidate.post(f"{URL}/submissions", data={"file:solution.py": CODE, "mode": "submit",
                                                   "csrf_token": candidate.csrf})
    assert r.status_code == 303
    page = candidate.get(r.location)
    assert page.status_code == 200 and "Queued" in page.text
    assert 'http-equiv="refresh"' in page.text


def test_form_submit_with_json_accept(app, candidate):
    r = candidate.post(f"{URL}/submissions", data={"file:solution.py": CODE, "mode": "run",
                                                   "csrf_token": candidate.csrf},
                       headers={"Accept": "application/json"})
    assert r.status_code == 202
    body = r.get_json()
    panel = candidate.get(body["panel_url"])
    assert 'data-status="queued"' in panel.text


def test_form_without_csrf_is_refused(app, candidate):
    r = candidate.post(f"{URL}/submissions", data={"file:solution.py": CODE, "mode": "run"})
    assert r.status_code == 400
    with app.app_context():
        assert db.session.query(Submission).count() == 0


def test_done_panel_shows_results_and_public_note(app, candidate):
    r = candidate.post(f"{URL}/submissions", data={"file:solution.py": CODE, "mode": "run",
                                                   "csrf_token": candidate.csrf},
                       headers={"Accept": "application/json"})
    sid = r.get_json()["id"]
    with app.app_context():
        row = db.session.get(Submission, sid)
        row.status, row.verdict, row.score, row.max_score = "done", "passed", 2, 2
        row.result = {"message": "", "tests": [{"name": "test_a", "outcome": "passed", "message": "",
                                                "visibility": "public", "duration": 0.1}],
                      "stdout": "", "limits": {"wall_seconds": 10, "cpu_seconds": 8, "memory_mb": 256}}
        db.session.commit()
    panel = candidate.get(f"/submissions/{sid}/panel").text
    assert 'data-status="done"' in panel and "Public tests passed" in panel
    assert "public tests only" in panel
    # Tests and Console views, both rendered (the tab list is shown by the editor script).
    assert '<div class="panel-tabs" role="tablist" aria-label="Result views" hidden>' in panel
    assert f'id="view-tests-{sid}" role="tabpanel"' in panel
    assert "Console (empty)" in panel and "Your code printed nothing during the public tests." in panel

    with app.app_context():
        row = db.session.get(Submission, sid)
        row.result = {**row.result, "stdout": "<b>printed</b>\n"}
        db.session.commit()
    panel = candidate.get(f"/submissions/{sid}/panel").text
    console = panel.split(f'id="view-console-{sid}"')[1]
    assert '<pre class="stdout">&lt;b&gt;printed&lt;/b&gt;' in console  # text, never markup
    assert "Console (empty)" not in panel


def test_a_failed_public_case_shows_input_expected_and_actual(app, candidate):
    r = candidate.post(f"{URL}/submissions", data={"file:solution.py": CODE, "mode": "run",
                                                   "csrf_token": candidate.csrf},
                       headers={"Accept": "application/json"})
    sid = r.get_json()["id"]
    shown = {"input": "a=1, b=2", "expected": "3", "actual": "'<img src=x onerror=alert(1)>'"}
    with app.app_context():
        row = db.session.get(Submission, sid)
        row.status, row.verdict, row.score, row.max_score = "done", "failed", 0, 2
        row.result = {"message": "", "stdout": "", "limits": {}, "tests": [
            {"name": "test_sums[1-2]", "outcome": "failed", "message": "assert 0 == 3",
             "visibility": "public", "duration": 0.1, "compare": shown},
            # A hidden test never shows one, even if a stored result had it.
            {"name": "test_secret", "outcome": "failed", "message": "wrong answer",
             "visibility": "hidden", "duration": 0.1, "compare": {"expected": "SECRET-42"}}]}
        db.session.commit()
    panel = candidate.get(f"/submissions/{sid}/panel").text
    compare = panel.split('<dl class="compare">')[1].split("</dl>")[0]
    assert "<dt>Input</dt><dd><code>a=1, b=2</code>" in compare
    assert "<dt>Expected</dt><dd><code>3</code>" in compare
    assert "&lt;img src=x onerror=alert(1)&gt;" in compare and "<img" not in panel
    assert panel.count('<dl class="compare">') == 1 and "SECRET-42" not in panel


def test_draft_autosave_and_reload(app, candidate):
    r = candidate.put(f"{URL}/draft", json={"files": {"solution.py": "# my draft\n"}},
                      headers={"X-CSRFToken": candidate.csrf})
    assert r.status_code == 200
    assert "# my draft" in candidate.get(URL).text


def test_draft_errors(app, candidate):
    r = candidate.put(f"{URL}/draft", json={"files": {"evil.py": "x"}},
                      headers={"X-CSRFToken": candidate.csrf})
    assert r.status_code == 422 and "'evil.py'" in r.get_json()["error"]
    r = candidate.put(f"{URL}/draft", data="nope", headers={"X-CSRFToken": candidate.csrf})
    assert r.status_code == 400
    assert candidate.put(f"{URL}/draft", json={"files": {"solution.py": "x"}}).status_code == 400
    # the earlier draft (none) is untouched: the page still shows the starter
    assert "Return a decorator that retries" in candidate.get(URL).text


def test_reset_restores_starter(app, candidate):
    candidate.put(f"{URL}/draft", json={"files": {"solution.py": "# mine\n"}},
                  headers={"X-CSRFToken": candidate.csrf})
    r = candidate.post(f"{URL}/reset", data={"csrf_token": candidate.csrf})
    assert r.status_code == 303
    with app.app_context():
        assert "# mine" not in db.session.query(Draft).one().files["solution.py"]


def test_history_and_diff(app, candidate):
    candidate.post(f"{URL}/submissions", data={"file:solution.py": CODE, "mode": "run",
                                               "csrf_token": candidate.csrf})
    candidate.put(f"{URL}/draft", json={"files": {"solution.py": CODE + "# later\n"}},
                  headers={"X-CSRFToken": candidate.csrf})
    history = candidate.get(f"{URL}/history").text
    assert "diff with draft" in history
    with app.app_context():
        sid = db.session.query(Submission).one().id
    diff = candidate.get(f"/submissions/{sid}/diff").text
    assert "+# later" in diff


def test_someone_elses_submission_is_404(app, candidate):
    from tests.helpers import login, make_user

    candidate.post(f"{URL}/submissions", data={"file:solution.py": CODE, "mode": "run",
                                               "csrf_token": candidate.csrf})
    with app.app_context():
        sid = db.session.query(Submission).one().id
    make_user(app, "other@example.com")
    other = app.test_client()
    login(other, "other@example.com")
    for path in (f"/submissions/{sid}", f"/submissions/{sid}/panel", f"/submissions/{sid}/diff"):
        assert other.get(path).status_code == 404


def test_an_empty_submission_is_refused_before_it_costs_anything(app, candidate, token):
    """Blank files (page, JSON, API): refused with the reason, nothing stored or queued."""
    with app.app_context():
        before = db.session.query(Submission).count()
    for mode in ("submit", "run"):
        page = candidate.post(f"{URL}/submissions", data={"file:solution.py": "  \n\t\n",
                                                          "mode": mode, "csrf_token": candidate.csrf})
        assert page.status_code == 422 and f"Nothing to {mode}" in page.text
        assert "solution.py" in page.text
    as_json = candidate.post(f"{URL}/submissions", data={"file:solution.py": "", "mode": "submit",
                                                         "csrf_token": candidate.csrf},
                             headers={"Accept": "application/json"})
    assert as_json.status_code == 422 and "Nothing to submit" in as_json.get_json()["error"]
    api = app.test_client().post("/api/v1/submissions", headers={"Authorization": f"Bearer {token}"},
                                 json={"challenge": "examples/retry-decorator", "mode": "submit",
                                       "files": {"solution.py": "\n"}})
    assert api.status_code == 422 and "every file you edit (solution.py) is empty" in api.get_json()["error"]
    with app.app_context():
        assert db.session.query(Submission).count() == before
    ok = candidate.post(f"{URL}/submissions", data={"file:solution.py": CODE, "mode": "submit",
                                                    "csrf_token": candidate.csrf})
    assert ok.status_code == 303


def test_the_panel_counts_points_with_tests_in_brackets_and_groups_cases(app, candidate):
    from lab.models import Challenge, User

    intent = "Retries until it succeeds"
    tests = [{"name": f"test_retries[{n}]", "outcome": outcome, "visibility": "hidden",
              "intent": intent, "message": "" if outcome == "passed" else f"{intent}: gave up early"}
             for n, outcome in ((1, "passed"), (2, "failed"), (3, "failed"))]
    with app.app_context():
        user = db.session.query(User).filter_by(email="cand@example.com").one()
        challenge = db.session.query(Challenge).filter_by(slug="retry-decorator").one()
        row = Submission(user_id=user.id, challenge_id=challenge.id, mode="submit", files={},
                         status="done", verdict="failed", score=1, max_score=3,
                         result={"verdict": "failed", "tests": tests,
                                 "message": "1 of 3 tests passed"})
        db.session.add(row)
        db.session.commit()
        submission_id = row.id
    panel = candidate.get(f"/submissions/{submission_id}/panel").text
    assert "Failed" in panel and "1 of 3 points (1 of 3 tests passed)" in panel
    assert panel.count("<code>test_retries</code>") == 1 and "(1 of 3 cases)" in panel
    assert panel.count(intent) == 1  # on the test's line, not again in each case's message
    assert panel.count("gave up early") == 2 and "<code>[2]</code> failed" in panel
    assert "1 of 3 tests passed</pre>" not in panel  # the heading says it already


def _three_submissions(candidate) -> list[int]:
    for n in range(3):
        candidate.post(f"{URL}/submissions", data={"file:solution.py": CODE + f"# v{n}\n",
                                                   "mode": "run", "csrf_token": candidate.csrf})
    history = candidate.get(f"{URL}/history").text
    return [int(found) for found in re.findall(r'option value="(\d+)"', history)][:3]


def test_history_compares_any_two_of_ones_own(app, candidate):
    first, second, third = sorted(set(_three_submissions(candidate)))
    history = candidate.get(f"{URL}/history").text
    assert 'action="/submissions/compare"' in history
    page = candidate.get(f"/submissions/compare?a={third}&b={first}").text
    assert f"Submission #{first} against #{third}" in page  # the older first, whatever the order
    assert "-# v0" in page and "+# v2" in page
    assert candidate.get(f"/submissions/compare?a={first}").status_code == 400
    assert candidate.get(f"/submissions/compare?a={first}&b=999999").status_code == 404
    assert candidate.get(f"/submissions/compare?a={first}&b=x").status_code == 400


def test_a_submission_shows_its_files_and_loads_into_the_editor(app, candidate):
    import html

    first = min(_three_submissions(candidate))
    page = candidate.get(f"/submissions/{first}").text
    assert "Submitted files" in page and "# v0" in html.unescape(page)
    loaded = candidate.post(f"/submissions/{first}/load", data={"csrf_token": candidate.csrf})
    assert loaded.status_code == 303 and loaded.location.endswith(URL)
    editor = candidate.get(URL).text
    assert "# v0" in html.unescape(editor) and f"Submission #{first} is in the editor" in editor
    with app.app_context():
        draft = db.session.query(Draft).one()
        assert draft.files["solution.py"].endswith("# v0\n") and draft.version >= 1
    assert candidate.post(f"/submissions/{first}/load").status_code == 400  # no CSRF token


def test_nobody_loads_or_compares_someone_elses_submission(app, candidate):
    from tests.helpers import login, make_user

    mine = min(_three_submissions(candidate))
    make_user(app, "stranger@example.com")
    stranger = app.test_client()
    token = login(stranger, "stranger@example.com")
    assert stranger.post(f"/submissions/{mine}/load", data={"csrf_token": token}).status_code == 404
    assert stranger.get(f"/submissions/compare?a={mine}&b={mine}").status_code == 404
    with app.app_context():
        from lab.models import User

        stranger_id = db.session.query(User).filter_by(email="stranger@example.com").one().id
        assert db.session.query(Draft).filter_by(user_id=stranger_id).count() == 0

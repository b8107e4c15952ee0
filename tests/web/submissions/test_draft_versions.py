"""Drafts that cannot be lost: every save names the version it grew from, a stale one is
refused with the newer text (409) and stores nothing, editor pages are never cached,
and an ended session or a stale CSRF token is something the editor can recover from."""

from __future__ import annotations

import re
import threading

from sqlalchemy import select

from lab.extensions import db
from lab.models import Draft, InterviewItem
from tests.helpers import PASSWORD, make_user
from tests.web.interview_helpers import add_template, items_of, start

PAGE = "/challenges/examples/retry-decorator"


def _save(client, text: str, base: object = None, url: str = f"{PAGE}/draft"):
    body: dict = {"files": {"solution.py": text}}
    if base is not None:
        body["base_version"] = base
    return client.put(url, json=body, headers={"X-CSRFToken": client.csrf})


def _stored(app) -> tuple[str, int] | None:
    with app.app_context():
        draft = db.session.scalar(select(Draft))
        return (draft.files["solution.py"], draft.version) if draft else None


def _page_version(html: str) -> int:
    match = re.search(r'data-draft-version="(\d+)"', html)
    assert match, "the editor form carries no draft version"
    return int(match.group(1))


def test_each_save_bumps_the_version_the_page_then_carries(app, candidate):
    assert _page_version(candidate.get(PAGE).text) == 0
    first = _save(candidate, "one\n", 0)
    assert first.status_code == 200 and first.get_json()["version"] == 1
    second = _save(candidate, "two\n", 1)
    assert second.status_code == 200 and second.get_json()["version"] == 2
    page = candidate.get(PAGE)
    assert _page_version(page.text) == 2 and "two" in page.text
    assert 'name="draft_version" value="2"' in page.text  # the no-JavaScript form too


def test_a_stale_save_is_refused_with_the_newer_text_and_stores_nothing(app, candidate):
    """Two tabs (or a page restored by Back) based on version 1: the first save wins,
    the second gets 409 with what is stored, and the stored draft is untouched."""
    _save(candidate, "base\n", 0)
    tab_a = _save(candidate, "from tab A\n", 1)
    assert tab_a.status_code == 200
    tab_b = _save(candidate, "from tab B\n", 1)
    assert tab_b.status_code == 409
    body = tab_b.get_json()
    assert "another tab" in body["error"]
    assert body["conflict"]["version"] == 2
    assert body["conflict"]["files"]["solution.py"] == "from tab A\n"
    assert body["conflict"]["saved_at"].endswith("Z")
    assert _stored(app) == ("from tab A\n", 2)
    # Keeping tab B's text is a save based on the version it was shown.
    keep = _save(candidate, "from tab B\n", 2)
    assert keep.status_code == 200 and _stored(app) == ("from tab B\n", 3)


def test_a_first_save_against_a_draft_made_elsewhere_conflicts(app, candidate):
    _save(candidate, "made in another tab\n", 0)
    late = _save(candidate, "this page had no draft\n", 0)
    assert late.status_code == 409
    assert late.get_json()["conflict"]["files"]["solution.py"] == "made in another tab\n"
    assert _stored(app) == ("made in another tab\n", 1)


def test_two_saves_on_one_version_at_the_same_moment_cannot_both_win(app, candidate):
    _save(candidate, "base\n", 0)
    results: list[int] = []
    barrier = threading.Barrier(2)

    def save(text: str) -> None:
        client = app.test_client()
        with candidate.session_transaction() as theirs, client.session_transaction() as mine:
            mine.update(theirs)
        client.csrf = candidate.csrf
        barrier.wait()
        results.append(_save(client, text, 1).status_code)

    threads = [threading.Thread(target=save, args=(f"writer {n}\n",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200, 409]
    text, version = _stored(app)
    assert version == 2 and text.startswith("writer ")


def test_saves_without_a_base_version_still_write_and_bad_ones_are_refused(app, candidate):
    assert _save(candidate, "api style\n").status_code == 200  # no base: unconditional
    assert _stored(app) == ("api style\n", 1)
    for bad in (True, -1, "2", 1.5, [1]):
        response = _save(candidate, "hostile\n", bad)
        assert response.status_code == 400, bad
        assert "base_version" in response.get_json()["error"]
    assert _stored(app) == ("api style\n", 1)


def test_a_run_stores_its_files_and_tells_the_editor_the_new_version(app, candidate):
    _save(candidate, "base\n", 0)
    response = candidate.post(f"{PAGE}/submissions", data={
        "file:solution.py": "ran\n", "mode": "run", "draft_version": "1",
        "csrf_token": candidate.csrf}, headers={"Accept": "application/json"})
    assert response.status_code == 202 and response.get_json()["draft_version"] == 2
    assert _stored(app) == ("ran\n", 2)
    # A Run from a stale page still runs what it sent but keeps the newer stored draft.
    stale = candidate.post(f"{PAGE}/submissions", data={
        "file:solution.py": "stale run\n", "mode": "run", "draft_version": "1",
        "csrf_token": candidate.csrf}, headers={"Accept": "application/json"})
    assert stale.status_code == 202 and stale.get_json()["draft_version"] is None
    assert _stored(app) == ("ran\n", 2)
    assert stale.get_json()["id"] in app.enqueued


def test_a_refused_run_still_tells_the_editor_the_version_its_files_became(app, candidate):
    """An empty Run is refused, but its (empty) files are the draft now: the refusal
    carries that version, so the editor's next save is not a conflict with itself."""
    _save(candidate, "base\n", 0)
    refused = candidate.post(f"{PAGE}/submissions", data={
        "file:solution.py": "   \n", "mode": "run", "draft_version": "1",
        "csrf_token": candidate.csrf}, headers={"Accept": "application/json"})
    assert refused.status_code == 422 and "Nothing to run" in refused.get_json()["error"]
    assert refused.get_json()["draft_version"] == 2 and _stored(app) == ("   \n", 2)
    assert _save(candidate, "typed after\n", 2).status_code == 200

    template = add_template(app, 30)
    interview_id = start(candidate, template)
    task = items_of(app, interview_id)[2]
    name = next(iter(task["starter"]))
    page = candidate.get(f"/interviews/{interview_id}/items/3")
    base = _page_version(page.text)
    refused = candidate.post(f"/interviews/{interview_id}/items/3/submissions", data={
        f"file:{name}": "\n", "mode": "run", "csrf_token": candidate.csrf},
        headers={"Accept": "application/json"})
    assert refused.status_code == 422, refused.text
    version = refused.get_json()["draft_version"]
    assert version == base + 1
    saved = candidate.put(f"/interviews/{interview_id}/items/3/draft",
                          json={"files": {name: "typed after\n"}, "base_version": version},
                          headers={"X-CSRFToken": candidate.csrf})
    assert saved.status_code == 200, saved.text


def test_editor_pages_are_never_cached(app, candidate):
    assert candidate.get(PAGE).headers["Cache-Control"] == "no-store"
    template = add_template(app, 3)
    interview_id = start(candidate, template)
    page = candidate.get(f"/interviews/{interview_id}/items/3")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"


def test_interview_task_drafts_are_versioned_too(app, candidate):
    template = add_template(app, 3)
    interview_id = start(candidate, template)
    task = items_of(app, interview_id)[2]
    name = next(iter(task["starter"]))
    url = f"/interviews/{interview_id}/items/3/draft"

    def save(text: str, base: object):
        return candidate.put(url, json={"files": {name: text}, "base_version": base},
                             headers={"X-CSRFToken": candidate.csrf})

    page = candidate.get(f"/interviews/{interview_id}/items/3")
    base = _page_version(page.text)
    first = save("tab A\n", base)
    assert first.status_code == 200 and first.get_json()["version"] == base + 1
    stale = save("tab B\n", base)
    assert stale.status_code == 409
    assert stale.get_json()["conflict"]["files"][name] == "tab A\n"
    with app.app_context():
        item = db.session.get(InterviewItem, task["id"])
        assert item.files[name] == "tab A\n" and item.draft_version == base + 1
    assert save("hostile\n", "x").status_code == 400


def test_an_ended_session_can_sign_in_again_from_the_editor(app, candidate):
    """The editor's recovery path: the save is refused (no session: its CSRF check fails
    first, named as such), GET /session says signed out and gives a token for a new
    session, a JSON sign-in succeeds, and the save then goes through."""
    make_user(app, "again@example.com")
    browser = app.test_client()
    refused = browser.put(f"{PAGE}/draft", json={"files": {"solution.py": "kept\n"}},
                          headers={"X-CSRFToken": candidate.csrf, "Accept": "application/json"})
    assert refused.status_code == 400 and refused.get_json()["reason"] == "csrf"
    state = browser.get("/session")
    assert state.headers["Cache-Control"] == "no-store"
    assert state.get_json()["signed_in"] is False
    token = state.get_json()["token"]
    wrong = browser.post("/login", data={"email": "again@example.com", "password": "nope",
                                         "csrf_token": token},
                         headers={"Accept": "application/json"})
    assert wrong.status_code == 400 and wrong.get_json()["error"] == "Email or password is wrong."
    expired = browser.post("/login", data={"email": "again@example.com", "password": PASSWORD,
                                           "csrf_token": "forged"},
                           headers={"Accept": "application/json"})
    assert expired.status_code == 400 and expired.get_json()["reason"] == "csrf"
    signed_in = browser.post("/login", data={"email": "again@example.com", "password": PASSWORD,
                                             "csrf_token": token},
                             headers={"Accept": "application/json"})
    assert signed_in.status_code == 200 and signed_in.get_json()["signed_in"] is True
    fresh = signed_in.get_json()["token"]
    saved = browser.put(f"{PAGE}/draft", json={"files": {"solution.py": "kept\n"}},
                        headers={"X-CSRFToken": fresh})
    assert saved.status_code == 200 and _stored(app) == ("kept\n", 1)


def test_a_stale_csrf_token_is_named_so_the_editor_can_refresh_it(app, candidate):
    response = candidate.put(f"{PAGE}/draft", json={"files": {"solution.py": "x\n"}},
                             headers={"X-CSRFToken": "stale-token", "Accept": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["reason"] == "csrf"
    assert _stored(app) is None


def test_a_run_of_an_oversized_file_names_the_file_and_the_per_file_limit(app, candidate):
    """Before: a 600 KiB paste was refused as "a form field is over the 488.3 KiB ..."."""
    big = "x = 1\n" * 100_000  # 600,000 bytes: under the body cap, over 128 KiB per file
    run = candidate.post(f"{PAGE}/submissions", data={
        "file:solution.py": big, "mode": "run", "csrf_token": candidate.csrf},
        headers={"Accept": "application/json"})
    assert run.status_code == 422
    assert run.get_json()["error"] == ("'solution.py': 600000 bytes is over the 128 KiB "
                                       "limit per file")
    save = _save(candidate, big, 0)
    assert save.status_code == 422 and "128 KiB limit per file" in save.get_json()["error"]
    assert _stored(app) is None and app.enqueued == []

"""While an interview runs, its items stay closed everywhere else: the practice pages,
the practice API (also for a bearer token), earlier practice results; and an interview's
own rules: a section's clock, runs per task."""

from __future__ import annotations

import time

from sqlalchemy import select

from lab.extensions import db
from lab.models import Interview, Submission, User
from tests.web.interview_helpers import add_template, answer_form, items_of, question_type, start


def test_practice_pages_of_interview_items_stay_closed_until_the_end(app, candidate):
    interview_id = start(candidate, add_template(app, 600))
    task = items_of(app, interview_id)[2]["challenge"]
    page = candidate.get(f"/challenges/{task}")
    assert page.status_code == 403 and "running mock interview" in page.text
    candidate.post(f"/interviews/{interview_id}/finish", data={"csrf_token": candidate.csrf})
    assert candidate.get(f"/challenges/{task}").status_code == 200


def test_a_section_clock_locks_only_its_own_items(app, candidate):
    interview_id = start(candidate, add_template(app, 600, section_seconds=2))
    items = items_of(app, interview_id)
    page = candidate.get(f"/interviews/{interview_id}/items/1")  # opens the section's clock
    assert 'id="clock-section"' in page.text
    time.sleep(2.2)
    kind = question_type(app, items[0]["id"])
    late = answer_form(candidate, interview_id, 1, kind, items[0]["answer"])
    assert late.status_code == 303
    assert "Time for section" in candidate.get(late.headers["Location"]).text
    api_late = candidate.post(f"/interviews/{interview_id}/items/2/time", json={"seconds": 1},
                              headers={"X-CSRFToken": candidate.csrf})
    assert api_late.status_code == 409 and "section" in api_late.get_json()["error"]
    name = next(iter(items[2]["starter"]))
    still_open = candidate.put(f"/interviews/{interview_id}/items/3/draft",
                               json={"files": {name: "fine\n"}}, headers={"X-CSRFToken": candidate.csrf})
    assert still_open.status_code == 200
    with app.app_context():
        assert db.session.get(Interview, interview_id).items[0].answer is None


def test_runs_per_task_is_enforced_and_submit_still_works(app, candidate):
    interview_id = start(candidate, add_template(app, 600, runs=2))
    name = next(iter(items_of(app, interview_id)[2]["starter"]))
    url = f"/interviews/{interview_id}/items/3/submissions"
    headers = {"Accept": "application/json"}
    for _ in range(2):
        ok = candidate.post(url, data={"csrf_token": candidate.csrf, "mode": "run",
                                       f"file:{name}": "x = 1\n"}, headers=headers)
        assert ok.status_code == 202
    assert "Runs left for this task: 0" in candidate.get(f"/interviews/{interview_id}/items/3").text
    third = candidate.post(url, data={"csrf_token": candidate.csrf, "mode": "run",
                                      f"file:{name}": "x = 1\n"}, headers=headers)
    assert third.status_code == 429 and "all 2 runs" in third.get_json()["error"]
    submit = candidate.post(url, data={"csrf_token": candidate.csrf, "mode": "submit",
                                       f"file:{name}": "x = 1\n"}, headers=headers)
    assert submit.status_code == 202


def _practice_submission(app, public_id: str) -> int:
    """A graded practice submission as if made before the interview (the draw avoids tried ones)."""
    from lab.submissions import service

    with app.app_context():
        challenge = service.find_challenge(public_id)
        user = db.session.scalar(select(User).where(User.email == "cand@example.com"))
        files = ({"answers.json": "{}"} if challenge.kind == "quiz" else dict(challenge.starter))
        row = Submission(user_id=user.id, challenge_id=challenge.id, mode="submit", files=files,
                         status="done", verdict="failed", score=0, max_score=1, result={})
        db.session.add(row)
        db.session.commit()
        return row.id


def _practice_statuses(candidate, task: str, quiz: str, name: str, sids: list[int]) -> dict:
    """Every practice route of the interview's challenges, with the status it answers."""
    json_write = {"X-CSRFToken": candidate.csrf}
    form = {"csrf_token": candidate.csrf}
    got = {
        "page": candidate.get(f"/challenges/{task}").status_code,
        "history": candidate.get(f"/challenges/{task}/history").status_code,
        "draft": candidate.put(f"/challenges/{task}/draft", json={"files": {name: "x = 1\n"}},
                               headers=json_write).status_code,
        "run": candidate.post(f"/challenges/{task}/submissions",
                              data={**form, "mode": "run", f"file:{name}": "x = 1\n"}).status_code,
        "reset": candidate.post(f"/challenges/{task}/reset", data=form).status_code,
        "quiz page": candidate.get(f"/challenges/{quiz}").status_code,
        "quiz answer": candidate.post(f"/challenges/{quiz}/quiz", data=form).status_code,
        "api challenge": candidate.get(f"/api/v1/challenges/{task}").status_code,
        "api quiz": candidate.get(f"/api/v1/challenges/{quiz}").status_code,
        "api submit": candidate.post("/api/v1/submissions", headers=json_write, json={
            "challenge": task, "files": {name: "x = 1\n"}, "mode": "submit"}).status_code,
        "api quiz submit": candidate.post("/api/v1/submissions", headers=json_write, json={
            "challenge": quiz, "answers": {}}).status_code,
    }
    for sid in sids:
        for suffix in ("", "/panel", "/events", "/diff"):
            response = candidate.get(f"/submissions/{sid}{suffix}")
            got[f"submission {sid}{suffix}"] = response.status_code
            response.close()
        got[f"api submission {sid}"] = candidate.get(f"/api/v1/submissions/{sid}").status_code
    return got


def test_practice_routes_and_api_of_interview_items_stay_closed_until_the_end(app, candidate):
    interview_id = start(candidate, add_template(app, 600))
    items = items_of(app, interview_id)
    task, quiz = items[2]["challenge"], items[0]["challenge"]
    name = next(iter(items[2]["starter"]))
    sids = [_practice_submission(app, task), _practice_submission(app, quiz)]
    during = _practice_statuses(candidate, task, quiz, name, sids)
    assert set(during.values()) == {403}, during
    refused = candidate.get(f"/api/v1/challenges/{task}").get_json()
    assert "hints" not in refused and refused["error"] == (
        f"{task} is part of your running mock interview; its practice through the API "
        "(details, hints, submissions) opens again when the interview ends.")
    refused = candidate.post("/api/v1/submissions", headers={"X-CSRFToken": candidate.csrf},
                             json={"challenge": task, "files": {name: "x = 1\n"}})
    assert "running mock interview" in refused.get_json()["error"]
    quiz_page = candidate.get(f"/submissions/{sids[1]}")
    assert f"practice submission #{sids[1]} opens again" in quiz_page.text
    assert "right answer" not in quiz_page.text
    with app.app_context():
        assert db.session.query(Submission).count() == len(sids) and app.enqueued == []
    # Challenges outside the interview and the interview's own routes keep working.
    other = next(c for c in ("examples/retry-decorator", "examples/generator-pipeline") if c != task)
    assert candidate.get(f"/api/v1/challenges/{other}").status_code == 200
    assert candidate.get(f"/api/v1/interviews/{interview_id}").status_code == 200
    own = candidate.post(f"/interviews/{interview_id}/items/3/submissions",
                         data={"csrf_token": candidate.csrf, "mode": "run", f"file:{name}": "x = 1\n"},
                         headers={"Accept": "application/json"})
    assert own.status_code == 202
    own_id = own.get_json()["id"]
    for url in (f"/submissions/{own_id}", f"/submissions/{own_id}/panel",
                f"/api/v1/submissions/{own_id}"):
        assert candidate.get(url).status_code == 200, url
    candidate.post(f"/interviews/{interview_id}/finish", data={"csrf_token": candidate.csrf})
    after = _practice_statuses(candidate, task, quiz, name, sids)
    assert 403 not in after.values() and after["api challenge"] == 200, after
    assert after["api submit"] == after["api quiz submit"] == 202, after
    assert "hints" in candidate.get(f"/api/v1/challenges/{task}").get_json()


def test_api_practice_is_closed_for_a_bearer_token_during_its_interview(app, token):
    auth = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    started = client.post("/api/v1/interviews", json={"template": add_template(app, 600)},
                          headers=auth).get_json()
    task = started["items"][2]
    name = next(iter(task["files"]))
    body = {"challenge": task["challenge"], "files": {name: "x = 1\n"}, "mode": "submit"}
    assert client.get(f"/api/v1/challenges/{task['challenge']}", headers=auth).status_code == 403
    refused = client.post("/api/v1/submissions", json=body, headers=auth)
    assert refused.status_code == 403 and "running mock interview" in refused.get_json()["error"]
    own = client.post(f"/api/v1/interviews/{started['id']}/items/3/submissions",
                      json={"files": {name: "x = 2\n"}, "mode": "run"}, headers=auth)
    assert own.status_code == 202
    assert client.get(f"/api/v1/submissions/{own.get_json()['id']}", headers=auth).status_code == 200
    client.post(f"/api/v1/interviews/{started['id']}/finish", headers=auth)
    assert client.get(f"/api/v1/challenges/{task['challenge']}", headers=auth).status_code == 200
    assert client.post("/api/v1/submissions", json=body, headers=auth).status_code == 202


def test_the_grading_note_says_how_the_interview_ended(app, candidate):
    """Finished early: no 'Time is up' while the work is graded; the deadline: it is."""
    early = start(candidate, add_template(app, 600))
    name = next(iter(items_of(app, early)[2]["starter"]))
    candidate.put(f"/interviews/{early}/items/3/draft", json={"files": {name: "x = 1\n"}},
                  headers={"X-CSRFToken": candidate.csrf})
    page = candidate.post(f"/interviews/{early}/finish", data={"csrf_token": candidate.csrf},
                          follow_redirects=True)
    with app.app_context():
        assert db.session.get(Interview, early).status == "grading"
    assert "You finished the interview. Your last saved work is being graded" in page.text
    assert "Time is up" not in page.text
    with app.app_context():
        interview = db.session.get(Interview, early)
        interview.ended_at = interview.deadline_at  # as when the clock ran out
        db.session.commit()
    page = candidate.get(f"/interviews/{early}")
    assert "Time is up. Your last saved work is being graded" in page.text


def test_an_interview_task_can_be_reset_to_its_starter(app, candidate):
    """The task page carries the reset button and the starter files it restores."""
    import json

    interview_id = start(candidate, add_template(app, 600))
    task = items_of(app, interview_id)[2]
    page = candidate.get(f"/interviews/{interview_id}/items/3").text
    assert 'id="reset-starter"' in page and "Reset to starter" in page
    embedded = page[page.index('id="starter-files">') + len('id="starter-files">'):]
    assert json.loads(embedded[:embedded.index("</script>")]) == task["starter"]

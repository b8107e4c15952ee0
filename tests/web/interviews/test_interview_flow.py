"""Mock interviews through the pages and the API: starting one, the server's clock,
drafts and answers, late edits, finalization exactly once, hints, hostile requests."""

from __future__ import annotations

import re
import threading
import time

from sqlalchemy import select

from lab.extensions import db
from lab.interviews.finalize import complete_if_ready, finalize, sweep_interviews
from lab.models import Interview, InterviewItem, Submission, User, utcnow
from tests.helpers import make_user
from tests.web.interview_helpers import add_template, answer_form, items_of, question_type, start


def test_templates_listed_and_started_with_recorded_seed(app, candidate):
    template = add_template(app, 600)
    page = candidate.get("/interviews")
    assert page.status_code == 200 and "Short test interview (600 s)" in page.text
    interview_id = start(candidate, template)
    items = items_of(app, interview_id)
    assert [bool(i["question"]) for i in items] == [True, True, False]
    page = candidate.get(f"/interviews/{interview_id}/items/1")
    assert page.status_code == 200 and 'id="clock-total"' in page.text
    left = float(re.search(r'data-seconds-left="([\d.]+)"', page.text).group(1))
    assert 590 < left <= 600
    with app.app_context():
        interview = db.session.get(Interview, interview_id)
        assert interview.seed is not None and interview.status == "active"
        # The same seed over the same catalog and history draws the same items again.
        from lab.interviews.catalog import database_catalog
        from lab.interviews.templates import draw

        again = draw(interview.template.spec, database_catalog().items, interview.seed, set())
        assert [(d.item.challenge, d.item.question_id) for d in again] == \
               [(i["challenge"], i["question"]) for i in items]


def test_second_interview_prefers_unseen_items_and_only_one_runs_at_a_time(app, candidate):
    template = add_template(app, 600)
    first = start(candidate, template)
    again = candidate.post("/interviews/start", data={"template": template,
                                                      "csrf_token": candidate.csrf})
    assert again.status_code == 303  # back to the list, with the reason flashed
    assert "already have an interview running" in candidate.get("/interviews").text
    candidate.post(f"/interviews/{first}/finish", data={"csrf_token": candidate.csrf})
    second = start(candidate, template)
    seen = {(i["challenge"], i["question"]) for i in items_of(app, first)}
    drawn = {(i["challenge"], i["question"]) for i in items_of(app, second)}
    assert not seen & drawn, "items met in the first attempt were drawn again"


def test_drafts_and_answers_persist_and_late_edits_are_refused(app, candidate):
    template = add_template(app, 3)
    interview_id = start(candidate, template)
    items = items_of(app, interview_id)
    task = items[2]
    name = next(iter(task["starter"]))
    response = candidate.put(f"/interviews/{interview_id}/items/3/draft",
                             json={"files": {name: "draft one\n"}},
                             headers={"X-CSRFToken": candidate.csrf})
    assert response.status_code == 200, response.text
    kind = question_type(app, items[0]["id"])
    response = answer_form(candidate, interview_id, 1, kind, items[0]["answer"])
    assert response.status_code == 303
    page = candidate.get(f"/interviews/{interview_id}/items/3")
    assert "draft one" in page.text  # a reload shows the saved draft
    time.sleep(3.2)
    late = candidate.put(f"/interviews/{interview_id}/items/3/draft",
                         json={"files": {name: "too late\n"}}, headers={"X-CSRFToken": candidate.csrf})
    assert late.status_code == 409 and "ended" in late.get_json()["error"]
    late_form = candidate.post(f"/interviews/{interview_id}/items/3/submissions",
                               data={"csrf_token": candidate.csrf, "mode": "submit",
                                     f"file:{name}": "too late\n"}, follow_redirects=True)
    # The form lands back on the interview (now being graded) with the reason shown.
    assert late_form.status_code == 200 and "answers can no longer be changed" in late_form.text
    with app.app_context():
        item = db.session.get(InterviewItem, task["id"])
        assert item.files[name] == "draft one\n"
        interview = db.session.get(Interview, interview_id)
        # The late request found the deadline passed and finalized the interview itself.
        assert interview.status == "grading" and interview.ended_at <= interview.deadline_at
        counted = db.session.get(Submission, item.counted_submission_id)
        assert counted.files[name] == "draft one\n" and counted.mode == "submit"
    assert counted.id in app.enqueued
    # The item pages now lead to the grading page, not the editor.
    page = candidate.get(f"/interviews/{interview_id}/items/3", follow_redirects=True)
    assert "being graded" in page.text


def test_expired_interview_finalized_by_sweeper_graded_and_scored(app, candidate):
    template = add_template(app, 2)
    interview_id = start(candidate, template)
    items = items_of(app, interview_id)
    kind = question_type(app, items[0]["id"])
    assert answer_form(candidate, interview_id, 1, kind, items[0]["answer"]).status_code == 303
    task = items[2]
    candidate.put(f"/interviews/{interview_id}/items/3/draft", json={"files": task["solution"]},
                  headers={"X-CSRFToken": candidate.csrf})
    time.sleep(2.2)
    with app.app_context():
        counts = sweep_interviews()
        assert counts["finalized"] == 1
        assert sweep_interviews()["finalized"] == 0  # once only
        item = db.session.get(InterviewItem, task["id"])
        submission = db.session.get(Submission, item.counted_submission_id)
        assert submission.files == {**task["starter"], **task["solution"]}
        # What the worker does when the grading finishes:
        submission.status, submission.verdict, submission.score = "done", "passed", 4
        submission.max_score = 4
        submission.result = {"tests": [{"name": "t", "outcome": "passed", "visibility": "hidden"}]}
        db.session.commit()
        assert complete_if_ready(interview_id) is True
        assert complete_if_ready(interview_id) is False
        interview = db.session.get(Interview, interview_id)
        card = interview.scorecard
    assert interview.status == "done"
    rows = card["items"]
    assert rows[0]["points"] == 1 and rows[1]["status"] == "not answered" and rows[1]["points"] == 0
    assert rows[2]["points"] == 3 and rows[2]["tests"] == {"passed": 1, "total": 1}
    assert card["score"] == round(100 * 4 / 5, 1) and card["passed"] is True
    assert {t["topic"] for t in card["topics"]} >= {"py.testing"}
    page = candidate.get(f"/interviews/{interview_id}")
    assert 'id="topic-chart"' in page.text and "80.0%" in page.text
    # Topics by name (the content map's), on the chart and in strengths / to work on.
    summary = page.text.split("<strong>Strengths:</strong>")[1].split("<h2>")[0]
    assert "Testing with pytest" in page.text and "py." not in summary
    assert "py.testing" not in page.text.split('id="topic-chart"')[1].split("</svg>")[0]
    review = candidate.get(f"/interviews/{interview_id}/review/3")
    assert review.status_code == 200 and "Reference solution" in review.text
    import html

    assert next(iter(task["solution"].values()))[:40] in html.unescape(review.text)
    for number in (1, 3):  # explanations are Markdown, rendered (every challenge has one)
        text = candidate.get(f"/interviews/{interview_id}/review/{number}").text
        why = text[text.index('<div id="explanation">'):]
        why = why[:why.index("</div>")]
        assert "<p>" in why and "`" not in html.unescape(why), why
        heading = text[text.index("<h1>"):text.index("</h1>")]
        assert "`" not in html.unescape(heading), heading


def test_review_is_closed_during_the_interview(app, candidate):
    interview_id = start(candidate, add_template(app, 600))
    response = candidate.get(f"/interviews/{interview_id}/review/3")
    assert response.status_code == 403 and "once the interview is over" in response.text
    page = candidate.get(f"/interviews/{interview_id}/items/3").text
    assert "Reference solution" not in page


def test_concurrent_finalization_happens_exactly_once(app, candidate):
    template = add_template(app, 1)
    interview_id = start(candidate, template)
    task = items_of(app, interview_id)[2]
    candidate.put(f"/interviews/{interview_id}/items/3/draft", json={"files": task["solution"]},
                  headers={"X-CSRFToken": candidate.csrf})
    time.sleep(1.2)
    barrier = threading.Barrier(6)
    wins: list[bool] = []

    def attempt():
        with app.app_context():
            barrier.wait()
            wins.append(finalize(interview_id))
            db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins) == [False] * 5 + [True]
    with app.app_context():
        made = db.session.scalars(select(Submission).where(
            Submission.interview_item_id == task["id"], Submission.mode == "submit")).all()
        assert len(made) == 1


def test_hints_cost_points_and_time_is_counted(app, candidate):
    interview_id = start(candidate, add_template(app, 600))
    response = candidate.post(f"/interviews/{interview_id}/items/3/hint",
                              data={"csrf_token": candidate.csrf})
    assert response.status_code == 303
    assert "Hint 1." in candidate.get(f"/interviews/{interview_id}/items/3").text
    for seconds in (5, 500):  # one report adds at most 30 s
        assert candidate.post(f"/interviews/{interview_id}/items/3/time", json={"seconds": seconds},
                              headers={"X-CSRFToken": candidate.csrf}).status_code == 204
    bad = candidate.post(f"/interviews/{interview_id}/items/3/time", json={"seconds": "x"},
                         headers={"X-CSRFToken": candidate.csrf})
    assert bad.status_code == 400
    with app.app_context():
        item = db.session.get(Interview, interview_id).items[2]
        assert item.hints_used == 1 and item.seconds_spent == 35


def test_hostile_and_broken_requests(app, candidate):
    interview_id = start(candidate, add_template(app, 600))
    assert candidate.post("/interviews/start", data={"template": "nope/none",
                                                     "csrf_token": candidate.csrf}).status_code == 404
    assert candidate.post("/interviews/start", data={"template": "x"}).status_code == 400  # no CSRF
    assert candidate.get(f"/interviews/{interview_id}/items/99").status_code == 404
    assert candidate.get(f"/interviews/{interview_id}/items/0").status_code == 404
    bad = candidate.put(f"/interviews/{interview_id}/items/3/draft", data="{not json",
                        headers={"X-CSRFToken": candidate.csrf, "Content-Type": "application/json"})
    assert bad.status_code == 400 and "JSON" in bad.get_json()["error"]
    wrong_name = candidate.put(f"/interviews/{interview_id}/items/3/draft",
                               json={"files": {"conftest.py": "x"}}, headers={"X-CSRFToken": candidate.csrf})
    assert wrong_name.status_code in (400, 422) and "conftest.py" in wrong_name.get_json()["error"]
    on_question = candidate.put(f"/interviews/{interview_id}/items/1/draft",
                                json={"files": {"a.py": "x"}}, headers={"X-CSRFToken": candidate.csrf})
    assert on_question.status_code == 400 and "question" in on_question.get_json()["error"]
    empty = candidate.post(f"/interviews/{interview_id}/items/1/answer", data={"csrf_token": candidate.csrf})
    assert empty.status_code == 422 and "answer" in empty.text
    # Another candidate cannot see or touch it.
    make_user(app, "other@example.com")
    other = app.test_client()
    from tests.helpers import login

    other.csrf = login(other, "other@example.com")
    assert other.get(f"/interviews/{interview_id}/items/1").status_code == 404
    assert other.put(f"/interviews/{interview_id}/items/3/draft", json={"files": {}},
                     headers={"X-CSRFToken": other.csrf}).status_code == 404
    with app.app_context():
        assert db.session.get(Interview, interview_id).items[2].saved_at is None


def test_api_interview_flow_and_late_submit_refused(app, token):
    template = add_template(app, 3)
    auth = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    listed = client.get("/api/v1/interview-templates", headers=auth).get_json()["templates"]
    assert template in [t["id"] for t in listed]
    assert client.post("/api/v1/interviews", json={"template": 5}, headers=auth).status_code == 400
    assert client.post("/api/v1/interviews", json={"template": "a/b"}, headers=auth).status_code == 404
    assert client.post("/api/v1/interviews", headers=auth).status_code == 400
    started = client.post("/api/v1/interviews", json={"template": template}, headers=auth)
    assert started.status_code == 201, started.text
    body = started.get_json()
    interview_id = body["id"]
    assert 0 < body["seconds_left"] <= 3 and len(body["items"]) == 3
    task = body["items"][2]
    name = next(iter(task["files"]))
    ok = client.post(f"/api/v1/interviews/{interview_id}/items/3/submissions",
                     json={"files": {name: "x = 1\n"}, "mode": "run"}, headers=auth)
    assert ok.status_code == 202
    answer = client.put(f"/api/v1/interviews/{interview_id}/items/1/answer", json={"answer": 0},
                        headers=auth)
    assert answer.status_code in (200, 422)  # 422 only if question 1 wants text or a list
    time.sleep(3.2)
    late = client.post(f"/api/v1/interviews/{interview_id}/items/3/submissions",
                       json={"files": {name: "x = 2\n"}, "mode": "submit"}, headers=auth)
    assert late.status_code == 409 and "ended" in late.get_json()["error"]
    late_answer = client.put(f"/api/v1/interviews/{interview_id}/items/2/answer",
                             json={"answer": 1}, headers=auth)
    assert late_answer.status_code == 409
    state = client.get(f"/api/v1/interviews/{interview_id}", headers=auth).get_json()
    assert state["status"] in ("grading", "done") and state["seconds_left"] == 0
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "api@example.com"))
        late_rows = db.session.scalars(select(Submission).where(
            Submission.user_id == user.id, Submission.mode == "submit",
            Submission.created_at < utcnow())).all()
        assert all("x = 2\n" not in s.files.values() for s in late_rows)

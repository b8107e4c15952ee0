"""An interviewer's notes, rubric and summary: saved, anchored, private until shared, then
on the candidate's scorecard beside the automatic score; every broken input refused with
what was wrong, and nothing stored from it."""

from __future__ import annotations

import pytest

from lab.extensions import db
from lab.interviews import reviews
from lab.models import InterviewNote, InterviewReview
from tests.web.interview_helpers import add_template, items_of, start
from tests.web.interviews.test_watchers import _client, accept, make_invite


@pytest.fixture
def led(app, candidate):
    """(interview id, the interviewer's client, the task item's number and file)."""
    interview = start(candidate, add_template(app, 600))
    coach = _client(app, "coach@example.com")
    accept(coach, make_invite(candidate, interview))
    task = next(i for i in items_of(app, interview) if not i["question"])
    name = next(iter(task["starter"]))
    candidate.put(f"/interviews/{interview}/items/{task['number']}/draft",
                  json={"files": {name: "def f(x):\n    y = x * 2\n    return y\n"}},
                  headers={"X-CSRFToken": candidate.csrf})
    return interview, coach, task["number"], name


def note(client, interview, **body):
    return client.post(f"/watch/interviews/{interview}/notes", json=body,
                       headers={"X-CSRFToken": client.csrf})


def test_a_note_keeps_its_moment_item_and_the_quoted_lines(app, candidate, led):
    interview, coach, number, name = led
    made = note(coach, interview, body="Doubles before returning; asked why.", item=number,
                file=name, line_from=2, line_to=3)
    assert made.status_code == 201, made.text
    saved = made.get_json()
    assert saved["quote"] == "    y = x * 2\n    return y"
    assert saved["item"] == number and 0 <= saved["at_seconds"] < 60
    # Later edits do not move what the note quoted.
    candidate.put(f"/interviews/{interview}/items/{number}/draft",
                  json={"files": {name: "pass\n"}}, headers={"X-CSRFToken": candidate.csrf})
    page = coach.get(f"/watch/interviews/{interview}").text
    assert "Doubles before returning; asked why." in page and "    y = x * 2" in page


def test_notes_stay_private_until_shared_then_show_on_the_scorecard(app, candidate, led):
    interview, coach, number, _ = led
    assert note(coach, interview, body="PRIVATE-NOTE-7731", item=number).status_code == 201
    scores = {str(number): {"problem_solving": 3, "testing": 2}}
    saved = coach.post(f"/watch/interviews/{interview}/review",
                       json={"scores": scores, "summary": "SUMMARY-4410 clear thinking"},
                       headers={"X-CSRFToken": coach.csrf})
    assert saved.status_code == 200, saved.text
    # Sharing waits for the end.
    early = coach.post(f"/watch/interviews/{interview}/share", json={},
                       headers={"X-CSRFToken": coach.csrf})
    assert early.status_code == 409 and "once the interview is over" in early.get_json()["error"]
    candidate.post(f"/interviews/{interview}/finish", data={"csrf_token": candidate.csrf})
    for path in (f"/interviews/{interview}", f"/api/v1/interviews/{interview}"):
        text = candidate.get(path).get_data(as_text=True)
        assert "PRIVATE-NOTE-7731" not in text and "SUMMARY-4410" not in text, path
    shared = coach.post(f"/watch/interviews/{interview}/share", json={},
                        headers={"X-CSRFToken": coach.csrf})
    assert shared.status_code == 200
    card = candidate.get(f"/interviews/{interview}").text
    assert "PRIVATE-NOTE-7731" in card and "SUMMARY-4410 clear thinking" in card
    assert "From your interviewer, coach@example.com" in card
    assert "3 of 4" in card and reviews.DEFAULT_RUBRIC[0]["levels"][2] in card
    assert "Automatic:" in card
    # Shared is final: nothing more is written.
    late = note(coach, interview, body="after sharing", item=number)
    assert late.status_code == 409
    with app.app_context():
        assert db.session.query(InterviewNote).count() == 1


@pytest.mark.parametrize("body, says", [
    ({"body": "", "item": 1}, "Write the note"),
    ({"body": "   \n", "item": 1}, "Write the note"),
    ({"body": 42, "item": 1}, "Write the note"),
    ({"body": "x" * (reviews.MAX_NOTE_CHARS + 1), "item": 1}, "at most"),
    ({"body": "ok", "item": 0}, "from 1 up"),
    ({"body": "ok", "item": 99}, "one of the interview's items"),
    ({"body": "ok", "item": "two"}, "whole number"),
    ({"body": "ok", "item": [1]}, "whole number"),
    ({"body": "ok", "item": True}, "whole number"),
    ({"body": "ok", "item": "TASK", "line_from": 1}, None),  # item replaced by the task below
    ({"body": "ok", "item": "TASK", "file": "FILE", "line_from": 3, "line_to": 2}, "after line_to"),
    ({"body": "ok", "item": "TASK", "file": "FILE", "line_from": 1, "line_to": 500}, "past its end"),
    ({"body": "ok", "item": "TASK", "file": "../../etc/passwd", "line_from": 1}, "one of the item's files"),
    ({"body": "ok", "item": "TASK", "file": "FILE", "line_from": -1}, "from 1 up"),
    ({"body": "ok", "item": "TASK", "file": "FILE", "line_from": "1e9"}, "whole number"),
])
def test_broken_notes_are_refused_with_the_reason(app, led, body, says):
    interview, coach, number, name = led
    body = {k: (number if v == "TASK" else name if v == "FILE" else v) for k, v in body.items()}
    response = note(coach, interview, **body)
    assert response.status_code == 422, response.text
    if says:
        assert says in response.get_json()["error"]
    else:
        assert "one of the item's files" in response.get_json()["error"]
    with app.app_context():
        assert db.session.query(InterviewNote).count() == 0


@pytest.mark.parametrize("scores, says", [
    ("3", "must map item numbers"),
    ({"99": {"testing": 2}}, "not a hands-on item"),
    ({"x": {"testing": 2}}, "not a hands-on item"),
    ({"TASK": {"bribery": 4}}, "not a criterion"),
    ({"TASK": {"testing": 5}}, "1, 2, 3 or 4"),
    ({"TASK": {"testing": 0}}, "1, 2, 3 or 4"),
    ({"TASK": {"testing": True}}, "1, 2, 3 or 4"),
    ({"TASK": {"testing": "4.0"}}, "1, 2, 3 or 4"),
    ({"TASK": [4]}, "must map criteria"),
])
def test_broken_rubrics_are_refused_and_keep_the_stored_one(app, led, scores, says):
    interview, coach, number, _ = led
    first = coach.post(f"/watch/interviews/{interview}/review",
                       json={"scores": {str(number): {"testing": 3}}, "summary": "kept"},
                       headers={"X-CSRFToken": coach.csrf})
    assert first.status_code == 200
    if isinstance(scores, dict):
        scores = {str(number) if k == "TASK" else k: v for k, v in scores.items()}
    response = coach.post(f"/watch/interviews/{interview}/review",
                          json={"scores": scores, "summary": "replaced"},
                          headers={"X-CSRFToken": coach.csrf})
    assert response.status_code == 422 and says in response.get_json()["error"]
    with app.app_context():
        review = db.session.query(InterviewReview).one()
        assert review.summary == "kept" and review.scores == {str(number): {"testing": 3}}


def test_the_review_form_on_the_page_saves_and_refusals_come_back_said(app, led):
    interview, coach, number, _ = led
    page = coach.get(f"/watch/interviews/{interview}").text
    assert f'name="score:{number}:problem_solving"' in page
    saved = coach.post(f"/watch/interviews/{interview}/review",
                       data={"csrf_token": coach.csrf, f"score:{number}:communication": "4",
                             f"score:{number}:testing": "", "summary": "Talked it through."})
    assert saved.status_code == 303
    assert "Rubric and summary saved" in coach.get(saved.headers["Location"]).text
    refused = coach.post(f"/watch/interviews/{interview}/review",
                         data={"csrf_token": coach.csrf, f"score:{number}:communication": "9"})
    assert refused.status_code == 303
    assert "1, 2, 3 or 4" in coach.get(refused.headers["Location"]).text
    with app.app_context():
        assert db.session.query(InterviewReview).one().scores == {str(number): {"communication": 4}}


def test_only_a_watcher_writes_notes_and_reviews(app, candidate, led):
    interview, coach, number, _ = led
    stranger = _client(app, "stranger@example.com")
    for client in (stranger, candidate):
        for path, body in (("notes", {"body": "x", "item": number}), ("review", {"scores": {}}),
                           ("share", {})):
            response = client.post(f"/watch/interviews/{interview}/{path}", json=body,
                                   headers={"X-CSRFToken": client.csrf})
            assert response.status_code == 404, (path, response.status_code)
    with app.app_context():
        assert db.session.query(InterviewNote).count() == 0
        assert db.session.query(InterviewReview).count() == 0


def test_a_template_rubric_replaces_the_default(app, candidate):
    from lab.models import InterviewTemplate

    template = add_template(app, 600, slug="own-rubric")
    with app.app_context():
        row = db.session.query(InterviewTemplate).filter_by(slug="own-rubric").one()
        spec = dict(row.spec)
        spec["rubric"] = [{"id": "naming", "title": "Naming things",
                           "levels": ["poor", "fair", "good", "excellent"]}]
        row.spec = spec
        db.session.commit()
    interview = start(candidate, template)
    coach = _client(app, "coach@example.com")
    accept(coach, make_invite(candidate, interview))
    page = coach.get(f"/watch/interviews/{interview}").text
    assert "Naming things" in page and "Problem solving" not in page

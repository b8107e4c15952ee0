"""Interviews in tests: short templates (seconds long, drawn from packs always loaded),
starting one through the page, its items, and answering a question through the form."""

from __future__ import annotations

import re

from lab.extensions import db
from lab.models import Interview, InterviewItem, InterviewTemplate, Pack

TEST_PACKS = ["examples", "quiz-python-flask"]


def short_spec(seconds: int, questions: int = 2, tasks: int = 1,
               section_seconds: int | None = None, runs: int | None = None) -> dict:
    quiz = {"title": "Concepts", "pools": [{"kinds": ["quiz"], "topics": ["py.testing"],
                                            "count": questions, "weight": 1}]}
    if section_seconds:
        quiz["time_limit"] = f"{section_seconds}s"
    spec = {"title": f"Short test interview ({seconds} s)", "time_limit": f"{seconds}s",
            "passing_score": 50, "from_packs": TEST_PACKS,
            "sections": [quiz, {"title": "Hands-on", "pools": [
                {"kinds": ["python"], "count": tasks, "weight": 3}]}]}
    if runs:
        spec["runs_per_task"] = runs
    return spec


def add_template(app, seconds: int, slug: str = "short", **kwargs) -> str:
    """Store a template in its own pack (as an import would) and return its public id."""
    spec = short_spec(seconds, **kwargs)
    with app.app_context():
        pack = db.session.query(Pack).filter_by(name="test-interviews").first()
        if pack is None:
            pack = Pack(name="test-interviews", version=1, title="Test interviews")
            db.session.add(pack)
            db.session.flush()
        db.session.add(InterviewTemplate(pack_id=pack.id, slug=slug, title=spec["title"],
                                         time_limit_seconds=seconds, passing_score=50.0,
                                         spec=spec, source=""))
        db.session.commit()
    return f"test-interviews/{slug}"


def start(client, template: str) -> int:
    response = client.post("/interviews/start", data={"template": template,
                                                      "csrf_token": client.csrf})
    assert response.status_code == 303, response.text
    match = re.search(r"/interviews/(\d+)/items/1$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def items_of(app, interview_id: int) -> list[dict]:
    with app.app_context():
        interview = db.session.get(Interview, interview_id)
        return [{"number": i.position + 1, "question": i.question_id, "id": i.id,
                 "challenge": i.challenge.public_id, "solution": i.challenge.folder("solution"),
                 "starter": i.challenge.starter,
                 "answer": _right_answer(i)} for i in interview.items]


def _right_answer(item):
    if not item.question_id:
        return None
    question = next(q for q in item.challenge.questions if q["id"] == item.question_id)
    answer = question["answer"]
    return answer[0] if question["type"] == "exact" and isinstance(answer, list) else answer


def answer_form(client, interview_id, number, question_type, value):
    data = {"csrf_token": client.csrf}
    key = None
    page = client.get(f"/interviews/{interview_id}/items/{number}").text
    key = re.search(r'name="(q:[^"]+)"', page).group(1)
    if question_type == "multiple":
        data[key] = [str(v) for v in value]
    else:
        data[key] = str(value)
    return client.post(f"/interviews/{interview_id}/items/{number}/answer", data=data)


def question_type(app, item_id):
    with app.app_context():
        item = db.session.get(InterviewItem, item_id)
        return next(q for q in item.challenge.questions if q["id"] == item.question_id)["type"]

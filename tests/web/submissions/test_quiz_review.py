"""A quiz's review reads as the candidate saw the quiz: answers as the options' text,
explanations rendered from Markdown."""

from __future__ import annotations

import html

from lab.extensions import db
from lab.models import Challenge, Submission, User


def _a_quiz_with_single_and_multiple(app):
    with app.app_context():
        for challenge in db.session.query(Challenge).filter_by(kind="quiz"):
            types = {q["type"] for q in challenge.questions}
            if {"single", "multiple"} <= types:
                return challenge.pack.name, challenge.slug, challenge.questions
    raise AssertionError("no bundled quiz has both single and multiple choice questions")


def test_answers_are_shown_as_the_options_text(app, candidate):
    pack, slug, questions = _a_quiz_with_single_and_multiple(app)
    single = next(q for q in questions if q["type"] == "single")
    multiple = next(q for q in questions if q["type"] == "multiple")
    wrong_single = next(i for i in range(len(single["options"])) if i != single["answer"])
    picked = [0, len(multiple["options"]) - 1]
    done = candidate.post(f"/challenges/{pack}/{slug}/quiz", data={
        "csrf_token": candidate.csrf, f"q:{single['id']}": str(wrong_single),
        f"q:{multiple['id']}": [str(i) for i in picked]}, follow_redirects=True)
    assert done.status_code == 200
    page = html.unescape(done.text)
    review = page[page.index("<h2>Review</h2>"):]
    for question, chosen in ((single, [wrong_single]), (multiple, picked)):
        block = review[review.index(f'{question["prompt"].splitlines()[0][:30]}'):]
        block = block[:block.index("</section>")]
        yours = block[block.index("<dt>Your answer</dt>"):block.index("<dt>Right answer</dt>")]
        for index in chosen:  # the option's words (Markdown code spans rendered as <code>)
            words = question["options"][index].replace("`", "")
            assert words in yours.replace("<code>", "").replace("</code>", ""), (words, yours)
        assert "[" not in yours and "frozenset" not in yours
    unanswered = next((q for q in questions if q["id"] not in (single["id"], multiple["id"])), None)
    if unanswered is not None:
        assert "not answered" in review


def test_why_the_reference_works_is_rendered_markdown(app, candidate):
    """After a passing submit the challenge's explanation is shown, as Markdown."""
    with app.app_context():
        challenge = next(c for c in db.session.query(Challenge)
                         if c.kind != "quiz" and "`" in (c.explanation or ""))
        user = db.session.query(User).filter_by(email="cand@example.com").one()
        submission = Submission(user_id=user.id, challenge_id=challenge.id, mode="submit",
                                files=dict(challenge.starter), status="done", verdict="passed",
                                score=1, max_score=1, result={"verdict": "passed", "score": 1,
                                                              "max_score": 1, "tests": []})
        db.session.add(submission)
        db.session.commit()
        submission_id = submission.id
    page = candidate.get(f"/submissions/{submission_id}").text
    why = page[page.index("Why the reference solution works"):]
    why = why[:why.index("</div>")]
    assert "<code>" in why and "`" not in html.unescape(why), why

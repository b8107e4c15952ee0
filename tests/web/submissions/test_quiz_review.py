"""A quiz's review reads as the candidate saw the quiz: answers as the options' text,
explanations rendered from Markdown."""

from __future__ import annotations

import html

from lab.extensions import db
from lab.models import Challenge, Submission, User
from lab.templating import render_inline
from tests.helpers import login, make_user


def _quizzes_with_single_and_multiple(app) -> list[tuple[str, str, list]]:
    with app.app_context():
        found = [(c.pack.name, c.slug, c.questions)
                 for c in db.session.query(Challenge).filter_by(kind="quiz").order_by(Challenge.id)
                 if {"single", "multiple"} <= {q["type"] for q in c.questions}]
    assert found, "no bundled quiz has both single and multiple choice questions"
    return found


def test_answers_are_shown_as_the_options_text(app):
    """Every bundled quiz with both kinds of choice question: the answers given come back
    as the options' rendered text, never as indexes (one candidate per quiz: Submits are
    rate limited per candidate)."""
    for n, (pack, slug, questions) in enumerate(_quizzes_with_single_and_multiple(app)):
        make_user(app, f"quizzer{n}@example.com")
        candidate = app.test_client()
        candidate.csrf = login(candidate, f"quizzer{n}@example.com")
        single = next(q for q in questions if q["type"] == "single")
        multiple = next(q for q in questions if q["type"] == "multiple")
        wrong_single = next(i for i in range(len(single["options"])) if i != single["answer"])
        picked = [0, len(multiple["options"]) - 1]
        done = candidate.post(f"/challenges/{pack}/{slug}/quiz", data={
            "csrf_token": candidate.csrf, f"q:{single['id']}": str(wrong_single),
            f"q:{multiple['id']}": [str(i) for i in picked]}, follow_redirects=True)
        assert done.status_code == 200, (pack, slug)
        page = html.unescape(done.text)
        review = page[page.index("<h2>Review</h2>"):]
        for question, chosen in ((single, [wrong_single]), (multiple, picked)):
            number = questions.index(question) + 1  # each review section is "Question N"
            block = review[review.index(f'<h3 id="q{number}">Question {number}</h3>'):]
            block = block[:block.index("</section>")]
            yours = block[block.index("<dt>Your answer</dt>"):block.index("<dt>Right answer</dt>")]
            for index in chosen:
                shown = html.unescape(str(render_inline(question["options"][index])))
                assert shown in yours, (slug, shown, yours)
            assert f"<dd>{chosen[0]}" not in yours and "frozenset" not in yours
        answered = (single["id"], multiple["id"])
        if any(q["id"] not in answered for q in questions):
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

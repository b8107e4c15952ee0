"""Crawl every page and API route as a candidate: no hidden test or reference solution
text may appear anywhere, even after a submission that raises with every file it read."""

import html

import pytest

from lab.extensions import db
from lab.models import Challenge, Submission

LEAKER = '''
import glob
TEXT = "\\n".join(open(p).read() for p in glob.glob("/sandbox/**/*.py", recursive=True))
print(TEXT)


def retry(*args, **kwargs):
    raise RuntimeError(TEXT)
'''


def secret_lines(app) -> set[str]:
    """Distinctive lines of hidden tests and solutions that nothing public contains."""
    with app.app_context():
        challenges = db.session.query(Challenge).all()
        # What candidates are shown on purpose: starters, public tests, prompts, hints.
        public_text = "\n".join(
            text for c in challenges for path, text in c.files.items()
            if path.startswith(("starter/", "tests/public/"))) + "\n".join(
            c.prompt_md + "\n" + "\n".join(c.hints) + "\n" + "\n".join(
                q.get("snippet", "") + "\n" + q["prompt"] for q in c.questions)
            for c in challenges)
        secrets = set()
        for c in challenges:
            for path, text in c.files.items():
                if path.startswith(("tests/hidden/", "solution/")):
                    for line in text.splitlines():
                        line = line.strip()
                        if len(line) > 24 and line not in public_text and not line.startswith(
                                ('"""', "#")):
                            secrets.add(line)
    return secrets


def strings_in(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in strings_in(k) + strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


def crawl_paths(app) -> list[str]:
    with app.app_context():
        ids = [c.public_id for c in db.session.query(Challenge).all()]
        subs = [s.id for s in db.session.query(Submission).all()]
    paths = ["/challenges", "/profile", "/api/v1/challenges", "/api/v1/openapi.json"]
    for public_id in ids:
        paths += [f"/challenges/{public_id}", f"/challenges/{public_id}/history",
                  f"/api/v1/challenges/{public_id}"]
    for sid in subs:
        paths += [f"/submissions/{sid}", f"/submissions/{sid}/panel", f"/submissions/{sid}/diff",
                  f"/api/v1/submissions/{sid}"]
    return paths


@pytest.mark.docker
def test_no_hidden_text_in_any_response(app, candidate, docker_client):
    from worker.jobs.tasks import grade_submission

    for mode in ("submit", "run"):
        r = candidate.post("/challenges/examples/retry-decorator/submissions",
                           data={"file:solution.py": LEAKER, "mode": mode,
                                 "csrf_token": candidate.csrf},
                           headers={"Accept": "application/json"})
        grade_submission(r.get_json()["id"])
    with app.app_context():
        rows = db.session.query(Submission).all()
        assert [s.status for s in rows] == ["done", "done"]
        assert {s.verdict for s in rows} == {"failed"}
    secrets = secret_lines(app)
    assert len(secrets) > 20
    seen = 0
    for path in crawl_paths(app):
        response = candidate.get(path, headers={"X-CSRFToken": candidate.csrf})
        assert response.status_code == 200, path
        if response.is_json:
            body = "\n".join(strings_in(response.get_json()))
        else:
            body = html.unescape(response.get_data(as_text=True))
        leaked = [line for line in secrets if line in body]
        assert not leaked, f"{path} shows hidden text: {leaked[:3]}"
        seen += 1
    assert seen > 15


def test_quiz_pages_show_no_answers_or_explanations(app, candidate, token):
    with app.app_context():
        quizzes = [(c.public_id, c.questions) for c in db.session.query(Challenge)
                   if c.kind == "quiz"]
    assert quizzes
    for public_id, questions in quizzes:
        page = html.unescape(candidate.get(f"/challenges/{public_id}").get_data(as_text=True))
        api_body = "\n".join(strings_in(candidate.get(f"/api/v1/challenges/{public_id}").get_json()))
        for question in questions:
            explanation = question["explanation"].strip()
            assert explanation not in page and explanation not in api_body, (public_id, question["id"])
            if question["type"] in ("exact", "predict") and len(str(question["answer"])) > 12:
                assert str(question["answer"]) not in api_body, (public_id, question["id"])

"""Practice in the JSON API: the challenge catalog, and submissions with their results
(a long-poll with ?wait).  Mounted on the one `api` blueprint (lab/api/blueprint.py)."""

from __future__ import annotations

from flask import abort, current_app, g, jsonify, request
from sqlalchemy import select
from werkzeug.exceptions import TooManyRequests

from lab.api.blueprint import api, json_object_body, named_in_body
from lab.extensions import db
from lab.models import Submission
from lab.practice.catalog import refuse_during_interview
from lab.ratelimit import work_rate
from lab.submissions import push, service
from lab.submissions.views import LIGHT, refuse_practice_result
from worker.core.kinds.quiz import public_questions

API_PRACTICE = "its practice through the API (details, hints, submissions)"


def _challenge_summary(challenge) -> dict:
    return {"id": challenge.public_id, "title": challenge.title, "kind": challenge.kind,
            "topics": list(challenge.topics), "difficulty": challenge.difficulty,
            "time_estimate_minutes": challenge.time_estimate_minutes}


@api.get("/challenges")
def list_challenges():
    return jsonify(challenges=[_challenge_summary(c) for c in service.latest_challenges()])


@api.get("/challenges/<pack>/<slug>")
def get_challenge(pack: str, slug: str):
    challenge = service.find_challenge(f"{pack}/{slug}")
    if challenge is None:
        abort(404, f"No challenge {pack}/{slug}.")
    refuse_during_interview(g.api_user, challenge.id, challenge.public_id, API_PRACTICE)
    if challenge.kind == "quiz":

        return jsonify(**_challenge_summary(challenge), questions=public_questions(challenge.questions),
                       hints=challenge.hints)
    return jsonify(**_challenge_summary(challenge), prompt=challenge.prompt_md,
                   editable=[{"name": n, "starter": challenge.starter.get(n, "")}
                             for n in challenge.editable],
                   public_tests=challenge.folder("tests/public"), hints=challenge.hints)


@api.post("/submissions")
@work_rate
def create_submission():
    body = json_object_body("{challenge, files, mode}")
    challenge = named_in_body(body, "challenge", service.find_challenge,
                              example="examples/retry-decorator", not_found="No challenge {}.")
    refuse_during_interview(g.api_user, challenge.id, challenge.public_id, API_PRACTICE)
    try:
        if challenge.kind == "quiz":
            submission = service.create_quiz_submission(g.api_user, challenge, body.get("answers"))
        else:
            submission = service.create_submission(g.api_user, challenge, body.get("files"),
                                                   body.get("mode", "submit"))
    except service.SubmissionError as exc:
        if exc.status == 429:
            raise TooManyRequests(str(exc), retry_after=exc.retry_after) from None
        abort(exc.status, str(exc))
    return jsonify(id=submission.id, status=submission.status), 202


@api.get("/submissions/<int:submission_id>")
def get_submission(submission_id: int):
    """With ?wait=S (0-30 s), a long-poll: answers as soon as the submission is done, or
    with its current status once S seconds have passed."""
    try:
        wait = push.parse_wait(request.args.get("wait"))
    except ValueError as exc:
        abort(400, str(exc))
    submission = db.session.get(Submission, submission_id, options=LIGHT)
    if submission is None or submission.user_id != g.api_user.id:
        abort(404, "No such submission.")
    refuse_practice_result(g.api_user, submission)
    if wait > 0 and submission.status != "done":
        settings = current_app.config["LAB_SETTINGS"]
        release = push.take_wait_slot(settings.web_threads)
        if release is not None:  # else no thread to spare: answer now, the client asks again
            try:
                _wait_until_done(settings, submission_id, wait)
            finally:
                release()
            submission = db.session.get(Submission, submission_id, options=LIGHT)
            if submission is None:  # removed while we waited
                abort(404, "No such submission.")
    return jsonify(service.public_result(submission))


def _wait_until_done(settings, submission_id: int, wait: float) -> None:
    def status() -> str | None:
        try:
            return db.session.scalar(select(Submission.status).where(Submission.id == submission_id))
        finally:
            db.session.close()  # no pooled connection is held while we sleep

    db.session.close()
    for _ in push.watch(settings, push.channel(submission_id), status, lambda s: s in ("done", None), wait):
        pass

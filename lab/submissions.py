"""Run / Submit from the browser, live result panel, drafts, history and diffs."""

from __future__ import annotations

import difflib

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from lab import service
from lab.catalog import challenge_or_404
from lab.extensions import db
from lab.models import Draft, Submission

submissions = Blueprint("submissions", __name__)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def own_submission(submission_id: int) -> Submission:
    submission = db.session.get(Submission, submission_id)
    if submission is None or (submission.user_id != current_user.id
                              and not current_user.is_instructor):
        abort(404, "No such submission.")
    return submission


@submissions.route("/challenges/<pack>/<slug>/submissions", methods=["POST"])
@login_required
def create(pack: str, slug: str):
    challenge = challenge_or_404(pack, slug)
    files = {key[5:]: value.replace("\r\n", "\n") for key, value in request.form.items()
             if key.startswith("file:")}
    mode = request.form.get("mode", "run")
    try:
        if files:
            service.save_draft(current_user, challenge, files)
        submission = service.create_submission(current_user, challenge, files, mode)
    except service.SubmissionError as exc:
        if _wants_json():
            return jsonify(error=str(exc)), exc.status
        return render_template("error.html", error=exc, message=str(exc)), exc.status
    panel = url_for("submissions.panel", submission_id=submission.id)
    if _wants_json():
        return jsonify(id=submission.id, status=submission.status, panel_url=panel), 202
    return redirect(url_for("submissions.show", submission_id=submission.id), 303)


@submissions.route("/challenges/<pack>/<slug>/quiz", methods=["POST"])
@login_required
def answer_quiz(pack: str, slug: str):
    challenge = challenge_or_404(pack, slug)
    if challenge.kind != "quiz":
        abort(404, "This challenge is not a quiz.")
    answers: dict[str, object] = {}
    for question in challenge.questions:
        key = f"q:{question['id']}"
        if question["type"] == "multiple":
            picked = request.form.getlist(key)
            if picked:
                answers[question["id"]] = [int(v) for v in picked if v.isdigit()]
        elif question["type"] == "single":
            value = request.form.get(key, "")
            if value.isdigit():
                answers[question["id"]] = int(value)
        elif request.form.get(key, "").strip():
            answers[question["id"]] = request.form[key]
    try:
        submission = service.create_quiz_submission(current_user, challenge, answers)
    except service.SubmissionError as exc:
        return render_template("error.html", error=exc, message=str(exc)), exc.status
    return redirect(url_for("submissions.show", submission_id=submission.id), 303)


@submissions.route("/submissions/<int:submission_id>")
@login_required
def show(submission_id: int):
    submission = own_submission(submission_id)
    return render_template("submission.html", submission=submission,
                           view=service.public_result(submission))


@submissions.route("/submissions/<int:submission_id>/panel")
@login_required
def panel(submission_id: int):
    submission = own_submission(submission_id)
    return render_template("_result_panel.html", submission=submission,
                           view=service.public_result(submission))


@submissions.route("/challenges/<pack>/<slug>/draft", methods=["PUT"])
@login_required
def save_draft(pack: str, slug: str):
    challenge = challenge_or_404(pack, slug)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error="expected a JSON object {\"files\": {...}}"), 400
    try:
        draft = service.save_draft(current_user, challenge, body.get("files"))
    except service.SubmissionError as exc:
        return jsonify(error=str(exc)), exc.status
    return jsonify(saved_at=draft.updated_at.isoformat() + "Z"), 200


@submissions.route("/challenges/<pack>/<slug>/reset", methods=["POST"])
@login_required
def reset(pack: str, slug: str):
    challenge = challenge_or_404(pack, slug)
    service.save_draft(current_user, challenge, dict(challenge.starter))
    return redirect(url_for("catalog.challenge", pack=pack, slug=slug), 303)


@submissions.route("/challenges/<pack>/<slug>/history")
@login_required
def history(pack: str, slug: str):
    challenge = challenge_or_404(pack, slug)
    rows = db.session.scalars(
        select(Submission).where(Submission.user_id == current_user.id,
                                 Submission.challenge_id == challenge.id)
        .order_by(Submission.id.desc())).all()
    return render_template("history.html", challenge=challenge, rows=rows)


@submissions.route("/submissions/<int:submission_id>/diff")
@login_required
def diff(submission_id: int):
    """The submitted files against the candidate's current draft."""
    submission = own_submission(submission_id)
    challenge = submission.challenge
    draft = db.session.scalar(select(Draft).where(Draft.user_id == current_user.id,
                                                  Draft.challenge_id == challenge.id))
    current = dict(challenge.starter)
    if draft:
        current.update(draft.files)
    diffs = {}
    for name in sorted(set(submission.files) | set(current)):
        lines = list(difflib.unified_diff(
            submission.files.get(name, "").splitlines(), current.get(name, "").splitlines(),
            fromfile=f"submission #{submission.id}/{name}", tofile=f"draft/{name}", lineterm=""))
        diffs[name] = lines
    return render_template("diff.html", submission=submission, diffs=diffs)

"""Run / Submit from the browser, live result panel, drafts, history and diffs."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import defer, joinedload

from lab.extensions import db
from lab.models import Challenge, Draft, Pack, Submission
from lab.practice.catalog import challenge_or_404, refuse_during_interview
from lab.ratelimit import draft_rate, work_rate
from lab.submissions import drafts, push, service
from lab.templating import wants_json

submissions = Blueprint("submissions", __name__)
HISTORY_PAGE = 50


# What a status poll needs: not the submitted files, of the challenge only its kind and id.
# A result panel is fetched or pushed often while a candidate waits, so it stays cheap.
LIGHT = (defer(Submission.files),
         joinedload(Submission.challenge).load_only(Challenge.slug, Challenge.kind, Challenge.pack_id)
         .joinedload(Challenge.pack).load_only(Pack.name))


def own_submission(submission_id: int, options: tuple = ()) -> Submission:
    submission = db.session.get(Submission, submission_id, options=options)
    if submission is None or (submission.user_id != current_user.id
                              and not current_user.is_instructor):
        abort(404, "No such submission.")
    refuse_practice_result(current_user, submission)
    return submission


def refuse_practice_result(user, submission: Submission) -> None:
    """A practice submission's result (tests, quiz answers and explanations) stays closed
    while the viewer's running interview holds its challenge; the interview's own
    submissions (interview_item_id set) stay open."""
    if submission.interview_item_id is None:
        refuse_during_interview(user, submission.challenge_id, submission.challenge.public_id,
                                f"practice submission #{submission.id}")


@submissions.route("/challenges/<pack>/<slug>/submissions", methods=["POST"])
@login_required
@work_rate
def create(pack: str, slug: str):
    challenge = challenge_or_404(pack, slug)
    files = {key[5:]: value.replace("\r\n", "\n") for key, value in request.form.items()
             if key.startswith("file:")}
    mode = request.form.get("mode", "run")
    draft_version = None
    try:
        if files:
            draft_version = _save_with_run(challenge, files)
        submission = service.create_submission(current_user, challenge, files, mode)
    except service.SubmissionError as exc:
        if wants_json():
            extra = {"retry_after": exc.retry_after} if exc.retry_after else {}
            if draft_version is not None:
                # The files became the draft before the refusal (an empty Run, a rate
                # limit): the editor bases its next save on that version, or it would
                # meet a conflict with its own text.
                extra["draft_version"] = draft_version
            return jsonify(error=str(exc), **extra), exc.status, exc.headers()
        return (render_template("error.html", error=exc, message=str(exc)), exc.status,
                exc.headers())
    panel = url_for("submissions.panel", submission_id=submission.id)
    if wants_json():
        return jsonify(id=submission.id, status=submission.status, panel_url=panel,
                       events_url=url_for("submissions.events", submission_id=submission.id),
                       draft_version=draft_version), 202
    return redirect(url_for("submissions.show", submission_id=submission.id), 303)


def _save_with_run(challenge: Challenge, files: dict[str, str]) -> int | None:
    """A Run or Submit also stores its files as the draft, based on the version the page
    sent (the form's draft_version).  If another tab saved since, the stored draft is
    kept: the Run still grades the files sent, and the editor's next autosave meets the
    conflict and offers both texts.  The new version, or None when nothing was stored."""
    base = request.form.get("draft_version", "")
    try:
        saved = drafts.save_draft(current_user, challenge, files,
                                  int(base) if base.isdigit() else None)
    except drafts.DraftConflict:
        return None
    return saved.version


@submissions.route("/challenges/<pack>/<slug>/quiz", methods=["POST"])
@login_required
@work_rate
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
    submission = own_submission(submission_id, LIGHT)
    return render_template("_result_panel.html", submission=submission,
                           view=service.public_result(submission))


@submissions.route("/submissions/<int:submission_id>/events")
@login_required
def events(submission_id: int):
    """Server-Sent Events: a `status` event with the rendered result panel now and at each
    change, until the submission is done or 30 s pass (the browser then reconnects)."""
    own_submission(submission_id, LIGHT)
    settings = current_app.config["LAB_SETTINGS"]
    release = push.take_wait_slot(settings.web_threads)
    if release is None:
        # Every spare thread already waits: the page falls back to polling the panel.
        return Response("busy: poll the result panel\n", status=503, mimetype="text/plain",
                        headers={"Retry-After": "1"})
    db.session.close()  # no pooled connection is held while the stream waits

    def status() -> tuple | None:
        try:
            return db.session.execute(select(Submission.status, Submission.verdict)
                                      .where(Submission.id == submission_id)).first()
        finally:
            db.session.close()

    def stream() -> Iterator[str]:
        yield "retry: 1000\n\n"  # how soon the browser reconnects after the 30 s cap
        for state in push.watch(settings, push.channel(submission_id), status,
                                lambda s: s is None or s[0] == "done", push.MAX_WAIT_SECONDS):
            submission = db.session.get(Submission, submission_id, options=LIGHT)
            if submission is None or state is None:
                return
            view = service.public_result(submission)
            html = render_template("_result_panel.html", submission=submission, view=view)
            db.session.close()
            data = json.dumps({"status": view["status"], "verdict": view["verdict"], "html": html})
            yield f"event: status\ndata: {data}\n\n"
            if view["status"] == "done":
                return

    response = Response(stream_with_context(stream()), mimetype="text/event-stream",
                        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
    response.call_on_close(release)  # also when the client goes away mid-stream
    return response


@submissions.route("/challenges/<pack>/<slug>/draft", methods=["PUT"])
@login_required
@draft_rate
def save_draft(pack: str, slug: str):
    challenge = challenge_or_404(pack, slug)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error="expected a JSON object {\"files\": {...}}"), 400
    try:
        draft = drafts.save_draft(current_user, challenge, body.get("files"),
                                  drafts.parse_base_version(body))
    except service.SubmissionError as exc:
        return drafts.refused_save(exc)
    return jsonify(saved_at=draft.updated_at.isoformat() + "Z", version=draft.version), 200


@submissions.route("/challenges/<pack>/<slug>/reset", methods=["POST"])
@login_required
def reset(pack: str, slug: str):
    challenge = challenge_or_404(pack, slug)
    drafts.save_draft(current_user, challenge, dict(challenge.starter))
    return redirect(url_for("catalog.challenge", pack=pack, slug=slug), 303)


@submissions.route("/challenges/<pack>/<slug>/history")
@login_required
def history(pack: str, slug: str):
    """The candidate's submissions of the challenge, newest first, HISTORY_PAGE at a time
    (?before=<id> pages back): read by the (user, challenge, id) index, so a long history
    costs no more than a short one."""
    challenge = challenge_or_404(pack, slug)
    query = (select(Submission).options(defer(Submission.files), defer(Submission.result))
             .where(Submission.user_id == current_user.id, Submission.challenge_id == challenge.id)
             .order_by(Submission.id.desc()).limit(HISTORY_PAGE + 1))
    before = request.args.get("before", type=int)
    if before is not None:
        query = query.where(Submission.id < before)
    rows = db.session.scalars(query).all()
    older = rows[HISTORY_PAGE - 1].id if len(rows) > HISTORY_PAGE else None
    return render_template("history.html", challenge=challenge, rows=rows[:HISTORY_PAGE],
                           older=older, paged=before is not None)


def _diffs(old: dict, new: dict, old_label: str, new_label: str) -> dict[str, list[str]]:
    """Unified diff lines per file name of two sets of files."""
    return {name: list(difflib.unified_diff(
        old.get(name, "").splitlines(), new.get(name, "").splitlines(),
        fromfile=f"{old_label}/{name}", tofile=f"{new_label}/{name}", lineterm=""))
        for name in sorted(set(old) | set(new))}


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
    return render_template("diff.html", submission=submission,
                           title=f"Submission #{submission.id} against your current draft",
                           diffs=_diffs(submission.files, current, f"submission #{submission.id}",
                                        "draft"))


@submissions.route("/submissions/compare")
@login_required
def compare():
    """Two of the candidate's submissions of one challenge, the older against the newer."""
    first = request.args.get("a", type=int)
    second = request.args.get("b", type=int)
    if first is None or second is None:
        abort(400, "Pick two submissions to compare (?a=<id>&b=<id>).")
    old, new = sorted((own_submission(first), own_submission(second)), key=lambda s: s.id)
    if old.challenge.public_id != new.challenge.public_id:
        abort(400, f"#{old.id} and #{new.id} are submissions of different challenges.")
    return render_template("diff.html", submission=new,
                           title=f"Submission #{old.id} against #{new.id}",
                           diffs=_diffs(old.files, new.files, f"#{old.id}", f"#{new.id}"))


@submissions.route("/submissions/<int:submission_id>/load", methods=["POST"])
@login_required
def load(submission_id: int):
    """The submission's files become the candidate's draft of the challenge (its newest
    version), as the draft's next version: an editor open elsewhere then sees a conflict
    instead of overwriting it."""
    submission = own_submission(submission_id)
    if submission.user_id != current_user.id or submission.challenge.kind == "quiz":
        abort(404, "No such submission of yours to load.")
    pack, slug = submission.challenge.pack.name, submission.challenge.slug
    challenge = challenge_or_404(pack, slug)
    files = {k: v for k, v in submission.files.items() if k in challenge.editable}
    try:
        drafts.save_draft(current_user, challenge, files)
    except service.SubmissionError as exc:
        abort(exc.status, str(exc))
    flash(f"Submission #{submission.id} is in the editor now; your previous draft was replaced.")
    return redirect(url_for("catalog.challenge", pack=pack, slug=slug), 303)

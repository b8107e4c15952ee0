"""The interviewer's side of a led mock interview: accept an invite link, then watch the
candidate's interview live (the item on screen, the code as it is typed, each Run and
Submit with its verdict, the clock).  Who may watch is decided in
lab/interviews/watchers.py; every route here asks it again, on every request and on every
update of a stream, so a revoked watcher loses the view within one update.

Nothing else of the candidate is reachable from here: no history, no practice drafts, no
other interview.  An interview someone may not watch is 404, as if it did not exist.
"""

from __future__ import annotations

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

from lab.extensions import db
from lab.http_cache import no_store
from lab.interviews import live, playback, reviews, watchers
from lab.interviews.finalize import complete_if_ready, finalize
from lab.interviews.service import InterviewError, is_expired, question_of
from lab.models import Interview, utcnow
from lab.submissions import push
from lab.templating import wants_json
from worker.core.kinds.quiz import public_questions

watch = Blueprint("watch", __name__, url_prefix="/watch")


@watch.errorhandler(InterviewError)
def _refuse(exc: InterviewError):
    """JSON for scripts; a refused note or review form goes back to the page, said."""
    if wants_json() or request.is_json:
        return jsonify(error=str(exc)), exc.status
    if request.method == "POST" and request.endpoint in _REVIEW_FORMS:
        flash(str(exc), "error")
        anchor = "#notes" if request.endpoint == "watch.add_note" else "#review"
        return redirect(url_for("watch.interview", interview_id=request.view_args["interview_id"])
                        + anchor, 303)
    return render_template("error.html", error=exc, message=str(exc)), exc.status


_REVIEW_FORMS = ("watch.add_note", "watch.save_review", "watch.share_review")


@watch.get("/<token>")
@login_required
def invite(token: str):
    """What the link invites to, and a button to accept; the link's owner, once accepted,
    goes straight to the live view."""
    row = watchers.invite_for(token)
    watchers.refuse_unclaimable(row, current_user)
    if row.user_id == current_user.id:
        return redirect(url_for("watch.interview", interview_id=row.interview_id))
    interview = db.session.get(Interview, row.interview_id)
    response = no_store(render_template("watch_invite.html", interview=interview, token=token))
    # The link is a secret until accepted: no Referer carries it off this page.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@watch.post("/<token>")
@login_required
def accept(token: str):
    row = watchers.claim(token, current_user)
    live.changed(row.interview_id)  # the candidate's list of watchers
    return redirect(url_for("watch.interview", interview_id=row.interview_id), 303)


def _watched(interview_id: int) -> Interview:
    return watched_interview(interview_id, current_user)


def watched_interview(interview_id: int, user) -> Interview:
    """The interview, if `user` watches it (404 otherwise); brought up to date with the
    clock.  The API asks the same (lab/api/led.py)."""
    if watchers.active_watcher(interview_id, user) is None:
        abort(404, "No such interview to watch.")
    interview = db.session.get(Interview, interview_id)
    if interview.status == "active" and is_expired(interview, utcnow()):
        finalize(interview.id)
        db.session.refresh(interview)
    if interview.status == "grading" and complete_if_ready(interview.id):
        db.session.refresh(interview)
    return interview


@watch.get("/interviews/<int:interview_id>")
@login_required
def interview(interview_id: int):
    if watchers.active_watcher(interview_id, current_user) is None:
        target = db.session.get(Interview, interview_id)
        if (target is not None and current_user.role == "admin"
                and target.user_id != current_user.id):
            return no_store(render_template("watch_join.html", interview=target))
        abort(404, "No such interview to watch.")
    current = _watched(interview_id)
    state = live.with_clock(live.state(interview_id))
    questions = {item.id: public_questions([question_of(item)])[0]
                 for item in current.items if item.is_question}
    return no_store(render_template(
        "watch_interview.html", interview=current, state=state, questions=questions,
        notes=reviews.notes_of(current, current_user), rubrics=reviews.rubrics(current),
        review=reviews.review_of(current, current_user), max_note=reviews.MAX_NOTE_CHARS))


def _body() -> dict:
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise InterviewError("expected a JSON object", 400)
        return body
    return request.form.to_dict()


@watch.post("/interviews/<int:interview_id>/notes")
@login_required
def add_note(interview_id: int):
    """A note at this moment: {body, item, file?, line_from?, line_to?}."""
    current = _watched(interview_id)
    body = _body()
    note = reviews.add_note(current, current_user, body.get("body"), body.get("item"),
                            body.get("file"), body.get("line_from"), body.get("line_to"))
    if wants_json() or request.is_json:
        return jsonify(note_json(note)), 201
    flash("Note saved. Only you see it until you share your review.", "info")
    return redirect(url_for("watch.interview", interview_id=interview_id) + "#notes", 303)


def note_json(note) -> dict:
    return {"id": note.id, "at_seconds": round(note.at_seconds, 1), "item": note.item,
            "body": note.body, "file": note.file, "line_from": note.line_from,
            "line_to": note.line_to, "quote": note.quote,
            "created_at": note.created_at.isoformat() + "Z"}


@watch.post("/interviews/<int:interview_id>/review")
@login_required
def save_review(interview_id: int):
    """The rubric and summary: JSON {scores: {item: {criterion: 1..4}}, summary}, or the
    page's form (fields score:<item>:<criterion> and summary)."""
    current = _watched(interview_id)
    if request.is_json:
        body = _body()
        scores, summary = body.get("scores"), body.get("summary")
    else:
        scores = {}
        for key, value in request.form.items():
            if key.startswith("score:"):
                _, number, criterion = (key.split(":", 2) + ["", ""])[:3]
                scores.setdefault(number, {})[criterion] = value
        summary = request.form.get("summary", "")
    review = reviews.save_review(current, current_user, scores, summary)
    if wants_json() or request.is_json:
        return jsonify(scores=review.scores, summary=review.summary, shared=bool(review.shared_at))
    flash("Rubric and summary saved.", "info")
    return redirect(url_for("watch.interview", interview_id=interview_id) + "#review", 303)


@watch.post("/interviews/<int:interview_id>/share")
@login_required
def share_review(interview_id: int):
    current = _watched(interview_id)
    review = reviews.share(current, current_user)
    if wants_json() or request.is_json:
        return jsonify(shared_at=review.shared_at.isoformat() + "Z")
    flash("Shared: the candidate now sees your notes, rubric and summary on their scorecard.",
          "info")
    return redirect(url_for("watch.interview", interview_id=interview_id) + "#review", 303)


@watch.post("/interviews/<int:interview_id>/join")
@login_required
def join(interview_id: int):
    target = db.session.get(Interview, interview_id)
    if target is None or current_user.role != "admin":
        abort(404, "No such interview to watch.")
    watchers.join_as_admin(target, current_user)
    live.changed(interview_id)
    return redirect(url_for("watch.interview", interview_id=interview_id), 303)


@watch.get("/interviews/<int:interview_id>/timeline")
@login_required
def timeline_export(interview_id: int):
    """The edit timeline with this interviewer's own notes, once the interview is over."""
    current = _watched(interview_id)
    playback.refuse_while_running(current)
    return no_store(jsonify(playback.export(current, playback.own_notes(current, current_user))))


@watch.get("/interviews/<int:interview_id>/replay")
@login_required
def replay(interview_id: int):
    current = _watched(interview_id)
    playback.refuse_while_running(current)
    return no_store(render_template(
        "interview_replay.html", interview=current,
        timeline_url=url_for("watch.timeline_export", interview_id=interview_id),
        back_url=url_for("watch.interview", interview_id=interview_id)))


@watch.get("/interviews/<int:interview_id>/state")
@login_required
def state(interview_id: int):
    """The live state as JSON, for scripts and for a browser without EventSource."""
    _watched(interview_id)
    return no_store(jsonify(live.with_clock(live.state(interview_id))))


@watch.get("/interviews/<int:interview_id>/events")
@login_required
def events(interview_id: int):
    """Server-Sent Events: a `state` event now and at each change, until the interview is
    done, access ends or 30 s pass (the browser then reconnects and is checked again)."""
    _watched(interview_id)
    settings = current_app.config["LAB_SETTINGS"]
    release = push.take_wait_slot(settings.web_threads)
    if release is None:
        return Response("busy: poll the state\n", status=503, mimetype="text/plain",
                        headers={"Retry-After": "1"})
    user_id = current_user.id
    db.session.close()  # no pooled connection is held while the stream waits

    def read() -> dict | None:
        try:
            if watchers.active_watcher_id(interview_id, user_id) is None:
                return None  # revoked: the stream ends at once
            return live.state(interview_id)
        finally:
            db.session.close()

    def stream() -> Iterator[str]:
        yield "retry: 1000\n\n"
        for current in push.watch(settings, live.channel(interview_id), read,
                                  lambda s: s is None or s["status"] == "done",
                                  push.MAX_WAIT_SECONDS):
            if current is None:
                yield "event: gone\ndata: {}\n\n"
                return
            yield f"event: state\ndata: {json.dumps(live.with_clock(current))}\n\n"

    response = Response(stream_with_context(stream()), mimetype="text/event-stream",
                        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
    response.call_on_close(release)
    return response

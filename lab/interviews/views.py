"""Mock interview pages: pick a template, work through the items against the clock,
read the scorecard, review afterwards.  Every write goes through lab/interviews/service.py,
which refuses it once the server's clock says the time is up."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required

from lab.extensions import db
from lab.http_cache import no_store
from lab.interviews import live, playback, reviews, timeline, watchers
from lab.interviews import service as svc
from lab.interviews.finalize import complete_if_ready, earlier_attempts, finalize
from lab.models import Interview, utcnow
from lab.ratelimit import draft_rate, timeline_rate, work_rate
from lab.submissions.drafts import parse_base_version, refused_save
from lab.submissions.service import SubmissionError
from lab.templating import wants_json
from worker.core.kinds.quiz import public_questions

interview_pages = Blueprint("interviews", __name__, url_prefix="/interviews")


def load_interview(interview_id: int, user) -> Interview:
    """The caller's own interview, brought up to date with the clock (an interview whose
    deadline passed is finalized here too, whoever gets there first)."""
    interview = db.session.get(Interview, interview_id)
    if interview is None or interview.user_id != user.id:
        abort(404, "No such interview.")
    if interview.status == "active" and svc.is_expired(interview, utcnow()):
        finalize(interview.id)
    if interview.status in ("active", "grading"):
        db.session.refresh(interview)
    if interview.status == "grading" and complete_if_ready(interview.id):
        db.session.refresh(interview)
    return interview


@interview_pages.errorhandler(svc.InterviewError)
def _refuse(exc: svc.InterviewError):
    """Every refusal of the interview service, raised anywhere in these views: JSON for
    scripts (and the editor's JSON writes); for a form post, a late write (409) goes back
    to where it came from with the message flashed; anything else is an error page."""
    if wants_json() or request.is_json:
        extra = {"retry_after": exc.retry_after} if exc.retry_after else {}
        if getattr(exc, "draft_version", None) is not None:
            extra["draft_version"] = exc.draft_version
        return jsonify(error=str(exc), **extra), exc.status, exc.headers()
    back = _back_after_refusal()
    if back and (exc.status == 409 or request.endpoint in _WATCHER_FORMS):
        flash(str(exc), "error")
        return redirect(back, 303)
    return render_template("error.html", error=exc, message=str(exc)), exc.status, exc.headers()


_WATCHER_FORMS = ("interviews.invite", "interviews.revoke_watcher")  # refusals go back, said


def _back_after_refusal() -> str | None:
    """Starting goes back to the list; a form post on an item goes back to the item."""
    if request.endpoint == "interviews.start":
        return url_for("interviews.index")
    args = request.view_args or {}
    if request.endpoint in _WATCHER_FORMS:
        return url_for("interviews.show", interview_id=args["interview_id"]) + "#watchers"
    if request.method == "POST" and "number" in args:
        return url_for("interviews.item", interview_id=args["interview_id"], number=args["number"])
    return None


def _json_object(shape: str) -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise svc.InterviewError(f"expected a JSON object {shape}", 400)
    return body


@interview_pages.get("")
@login_required
def index():
    return render_template("interviews.html", templates=svc.latest_templates(),
                           mine=svc.user_interviews(current_user))


@interview_pages.post("/start")
@login_required
def start():
    template = svc.find_template(request.form.get("template", ""))
    if template is None:
        abort(404, "No such interview template.")
    interview = svc.start_interview(current_user, template)
    return redirect(url_for("interviews.item", interview_id=interview.id, number=1), 303)


@interview_pages.get("/<int:interview_id>")
@login_required
def show(interview_id: int):
    interview = load_interview(interview_id, current_user)
    if interview.status == "active":  # back to the item last opened
        return redirect(_current_item_url(interview))
    return render_template("interview_scorecard.html", interview=interview,
                           card=interview.scorecard, history=earlier_attempts(interview),
                           shared_reviews=reviews.shared_reviews(interview),
                           rubrics=reviews.rubrics(interview))


@interview_pages.get("/<int:interview_id>/clock")
@login_required
def clock(interview_id: int):
    interview = load_interview(interview_id, current_user)
    now = utcnow()
    number = request.args.get("item", type=int)
    rows = watchers.watchers_of(interview)
    body = {"status": interview.status,
            "seconds_left": svc.seconds_left(interview.deadline_at, now)
            if interview.status == "active" else 0,
            "watchers": watchers.watching_names(rows),
            "live_save_ms": watchers.live_save_ms(rows)}
    if number and 1 <= number <= len(interview.items):
        state = svc.item_state(interview, interview.items[number - 1], now)
        body["item_seconds_left"] = svc.seconds_left(state.deadline, now) if state.open else 0
    return jsonify(body)


@interview_pages.get("/<int:interview_id>/items/<int:number>")
@login_required
def item(interview_id: int, number: int):
    interview = load_interview(interview_id, current_user)
    if interview.status != "active":
        return redirect(url_for("interviews.show", interview_id=interview.id))
    current = svc.item_or_error(interview, number - 1)
    now = utcnow()
    svc.open_section(interview, current.section, now)
    if svc.show_item(interview, number):
        timeline.mark(interview, number, "item", now)
    state = svc.item_state(interview, current, now)
    question = None
    if current.is_question:
        question = public_questions([svc.question_of(current)])[0]
    return no_store(render_template(
        "interview_item.html", interview=interview, current=current, number=number,
        state=state, question=question, section=interview.sections[current.section],
        seconds_left=svc.seconds_left(interview.deadline_at, now),
        item_seconds_left=svc.seconds_left(state.deadline, now) if state.open else 0,
        hints=(current.challenge.hints or [])[:current.hints_used],
        hints_left=len(current.challenge.hints or []) - current.hints_used,
        hint_cost=int(svc.HINT_COST * 100),
        section_spec=interview.template.spec["sections"][current.section],
        runs_left=None if current.is_question or "runs_per_task" not in interview.template.spec
        else max(0, interview.template.spec["runs_per_task"] - svc.runs_used(current)),
        public_tests=current.challenge.folder("tests/public") if not current.is_question else {},
        watchers=(rows := watchers.watchers_of(interview)),
        live_save_ms=watchers.live_save_ms(rows),
        new_invite=_new_invite(interview.id)))


def _new_invite(interview_id: int) -> str | None:
    """The invite link just made, shown once: it lives in the session until this page
    takes it (only its digest is in the database)."""
    made = session.get("new_invite")
    if made and made.get("interview") == interview_id:
        session.pop("new_invite")
        return made["url"]
    return None


@interview_pages.post("/<int:interview_id>/watchers")
@login_required
def invite(interview_id: int):
    """A one-time link that lets one person watch this interview live."""
    interview = load_interview(interview_id, current_user)
    token = watchers.create_invite(interview)
    session["new_invite"] = {"interview": interview.id,
                             "url": url_for("watch.invite", token=token, _external=True)}
    return redirect(_current_item_url(interview) + "#watchers", 303)


@interview_pages.post("/<int:interview_id>/watchers/<int:watcher_id>/revoke")
@login_required
def revoke_watcher(interview_id: int, watcher_id: int):
    interview = load_interview(interview_id, current_user)
    row = watchers.revoke(interview, watcher_id)
    live.changed(interview.id)  # the watcher's stream looks again, and ends
    flash(f"{row.user.email if row.user else 'The unused invite link'} can no longer watch "
          "this interview.", "info")
    return redirect(_current_item_url(interview) + "#watchers", 303)


def _current_item_url(interview: Interview) -> str:
    if interview.status != "active":
        return url_for("interviews.show", interview_id=interview.id)
    return url_for("interviews.item", interview_id=interview.id, number=interview.current_item or 1)


def _item_for_write(interview_id: int, number: int):
    interview = load_interview(interview_id, current_user)
    return interview, svc.item_or_error(interview, number - 1)


@interview_pages.put("/<int:interview_id>/items/<int:number>/draft")
@login_required
@draft_rate
def save_draft(interview_id: int, number: int):
    body = _json_object('{"files": {...}}')
    interview, current = _item_for_write(interview_id, number)
    try:
        svc.save_task_draft(current, body.get("files"), base_version=parse_base_version(body))
    except SubmissionError as exc:
        return refused_save(exc)
    return jsonify(saved_at=current.saved_at.isoformat() + "Z", version=current.draft_version,
                   seconds_left=svc.seconds_left(interview.deadline_at, utcnow()))


@interview_pages.post("/<int:interview_id>/items/<int:number>/submissions")
@login_required
@work_rate
def submit(interview_id: int, number: int):
    files = {key[5:]: value.replace("\r\n", "\n") for key, value in request.form.items()
             if key.startswith("file:")}
    _interview, current = _item_for_write(interview_id, number)
    try:
        submission = svc.submit_task(current_user, current, files or None,
                                     request.form.get("mode", "run"))
    except svc.InterviewError as exc:
        # The files may have become the draft before the refusal (an empty Run, a rate
        # limit): the editor bases its next save on that version (see _refuse).
        exc.draft_version = current.draft_version
        raise
    panel = url_for("submissions.panel", submission_id=submission.id)
    if wants_json():
        return jsonify(id=submission.id, status=submission.status, panel_url=panel,
                       draft_version=current.draft_version), 202
    return redirect(url_for("submissions.show", submission_id=submission.id), 303)


@interview_pages.post("/<int:interview_id>/items/<int:number>/timeline")
@login_required
@timeline_rate
def record_timeline(interview_id: int, number: int):
    """A batch of the editor's change sets: {"session": id, "events": [...]}, see
    lab/interviews/timeline.py.  410 once the item can no longer be edited."""
    body = _json_object('{"session": "...", "events": [...]}')
    interview, current = _item_for_write(interview_id, number)
    state = svc.item_state(interview, current, utcnow())
    if not state.open:
        raise svc.InterviewError(state.reason or "This item can no longer be changed.", 410)
    used = timeline.record(interview, current, body.get("session"), body.get("events"))
    return jsonify(bytes=used)


@interview_pages.get("/<int:interview_id>/timeline")
@login_required
def timeline_export(interview_id: int):
    """The whole edit timeline as JSON, for playback, once the interview is over."""
    interview = load_interview(interview_id, current_user)
    playback.refuse_while_running(interview)
    return no_store(jsonify(playback.export(interview, playback.shared_notes(interview))))


@interview_pages.get("/<int:interview_id>/replay")
@login_required
def replay(interview_id: int):
    interview = load_interview(interview_id, current_user)
    playback.refuse_while_running(interview)
    return no_store(render_template(
        "interview_replay.html", interview=interview,
        timeline_url=url_for("interviews.timeline_export", interview_id=interview.id),
        back_url=url_for("interviews.show", interview_id=interview.id)))


@interview_pages.post("/<int:interview_id>/items/<int:number>/answer")
@login_required
def answer(interview_id: int, number: int):
    _interview, current = _item_for_write(interview_id, number)
    question = svc.question_of(current)
    key = f"q:{question['id']}"
    if question["type"] == "multiple":
        value: object = [int(v) for v in request.form.getlist(key) if v.isdigit()]
    elif question["type"] == "single":
        raw = request.form.get(key, "")
        value = int(raw) if raw.isdigit() else None
    else:
        value = request.form.get(key, "")
    if value in (None, "", []):
        raise svc.InterviewError("Choose or type an answer before saving it.", 422)
    svc.save_answer(current, value)
    if wants_json():
        return jsonify(saved_at=current.saved_at.isoformat() + "Z")
    flash("Answer saved. You can change it until the time is up.", "info")
    following = number + 1 if number < len(_interview.items) else number
    return redirect(url_for("interviews.item", interview_id=interview_id, number=following), 303)


@interview_pages.post("/<int:interview_id>/items/<int:number>/hint")
@login_required
def hint(interview_id: int, number: int):
    _interview, current = _item_for_write(interview_id, number)
    svc.take_hint(current)
    timeline.mark(_interview, number, "hint")
    return redirect(url_for("interviews.item", interview_id=interview_id, number=number)
                    + "#hints", 303)


@interview_pages.post("/<int:interview_id>/items/<int:number>/time")
@login_required
def spent(interview_id: int, number: int):
    body = _json_object('{"seconds": n}')
    _interview, current = _item_for_write(interview_id, number)
    svc.add_time(current, body.get("seconds"))
    return "", 204


@interview_pages.post("/<int:interview_id>/finish")
@login_required
def finish(interview_id: int):
    interview = load_interview(interview_id, current_user)
    if interview.status == "active":
        finalize(interview.id, early=True)
    return redirect(url_for("interviews.show", interview_id=interview_id), 303)


@interview_pages.get("/<int:interview_id>/review/<int:number>")
@login_required
def review(interview_id: int, number: int):
    interview = load_interview(interview_id, current_user)
    if interview.status != "done":
        abort(403, "Reference solutions and explanations open once the interview is over "
                   "and graded.")
    current = svc.item_or_error(interview, number - 1)
    row = interview.scorecard["items"][number - 1]
    question = svc.question_of(current) if current.is_question else None
    return render_template("interview_review.html", interview=interview, current=current,
                           number=number, row=row, question=question,
                           solution=current.challenge.folder("solution")
                           if not current.is_question else {})

"""Mock interviews in the JSON API (/api/v1, the one `api` blueprint): the same service
as the pages, so the same server clock refuses late work with 409 and a message saying
when time ran out."""

from __future__ import annotations

from flask import abort, g, jsonify, request

from lab.api.blueprint import api, json_object_body, named_in_body
from lab.interviews import service as svc
from lab.interviews.finalize import finalize
from lab.interviews.views import load_interview
from lab.models import Interview, InterviewItem, utcnow
from lab.ratelimit import draft_rate, work_rate
from lab.stats.interviews import item_stats, template_stats
from lab.submissions.drafts import parse_base_version, refused_save
from lab.submissions.service import SubmissionError
from worker.core.kinds.quiz import public_questions


def _template(t) -> dict:
    return {"id": t.public_id, "title": t.title, "description": t.description,
            "time_limit_seconds": t.time_limit_seconds, "passing_score": t.passing_score,
            "sections": [s["title"] for s in t.spec["sections"]]}


def _item(interview: Interview, item: InterviewItem, now) -> dict:
    state = svc.item_state(interview, item, now)
    body = {"number": item.position + 1, "section": item.section, "weight": item.weight,
            "challenge": item.challenge.public_id, "kind": item.challenge.kind,
            "open": state.open, "saved_at": _iso(item.saved_at),
            "submitted_at": _iso(item.submitted_at)}
    if item.is_question:

        body["question"] = public_questions([svc.question_of(item)])[0]
        body["answer"] = item.answer["value"] if item.answer else None
    else:
        body["title"] = item.challenge.title
        body["files"] = item.files
    return body


def _iso(moment) -> str | None:
    return moment.isoformat() + "Z" if moment else None


def _interview(interview: Interview) -> dict:
    now = utcnow()
    body = {"id": interview.id, "template": interview.template.public_id,
            "status": interview.status, "seed": interview.seed,
            "started_at": _iso(interview.started_at), "deadline_at": _iso(interview.deadline_at),
            "ended_at": _iso(interview.ended_at),
            "seconds_left": svc.seconds_left(interview.deadline_at, now)
            if interview.status == "active" else 0,
            "sections": [{"title": s.title, "time_limit_seconds": s.time_limit_seconds,
                          "deadline_at": _iso(s.deadline_at)} for s in interview.sections]}
    if interview.status == "active":
        body["items"] = [_item(interview, item, now) for item in interview.items]
    if interview.status == "done" or (interview.scorecard or {}).get("ungraded"):
        # While an item awaits its regrade: the provisional card (no score, no pass).
        body["scorecard"] = interview.scorecard
    return body


@api.errorhandler(svc.InterviewError)
def _refused(exc: svc.InterviewError):
    """Every refusal of the interview service (late, closed, over a limit) as JSON with its
    status, Retry-After where it has one; the handlers let it propagate to here."""
    extra = {"retry_after": exc.retry_after} if exc.retry_after else {}
    return jsonify(error=str(exc), status=exc.status, **extra), exc.status, exc.headers()


@api.get("/interview-templates")
def list_interview_templates():
    return jsonify(templates=[_template(t) for t in svc.latest_templates()])


@api.get("/interview-stats")
def interview_stats():
    """Instructors and admins: per template version, finished interviews, pass rate,
    median score and time; with ?template=<id> (a number from this list), its items."""
    if not g.api_user.is_instructor:
        abort(403, "Interview statistics are for instructors.")
    wanted = request.args.get("template")
    if wanted is None:
        return jsonify(templates=template_stats())
    # (a database id has at most 9 digits here; a longer one would overflow the column)
    rows = template_stats(int(wanted)) if wanted.isdigit() and len(wanted) <= 9 else []
    if not rows:
        abort(404, f"No interview of template {wanted[:40]!r}; the list without ?template= "
                   "gives the ids.")
    return jsonify(template=rows[0], items=item_stats(rows[0]["id"]))


@api.post("/interviews")
def start_interview():
    data = json_object_body('{"template": <id>}')
    template = named_in_body(data, "template", svc.find_template,
                             example="interviews/python-fundamentals",
                             not_found="No interview template {}; GET /api/v1/interview-templates"
                                       " lists them.")
    interview = svc.start_interview(g.api_user, template)
    return jsonify(_interview(interview)), 201


@api.get("/interviews/<int:interview_id>")
def get_interview(interview_id: int):
    return jsonify(_interview(load_interview(interview_id, g.api_user)))


def _item_of(interview_id: int, number: int) -> InterviewItem:
    interview = load_interview(interview_id, g.api_user)
    return svc.item_or_error(interview, number - 1)


@api.put("/interviews/<int:interview_id>/items/<int:number>/draft")
@draft_rate
def save_interview_draft(interview_id: int, number: int):
    data = json_object_body('{"files": {name: text}}')
    item = _item_of(interview_id, number)
    # base_version (optional): the draft version the files grew from; a stale one is
    # refused with the stored files (409 {error, conflict}), as in the editor.
    try:
        svc.save_task_draft(item, data.get("files"), base_version=parse_base_version(data))
    except SubmissionError as exc:
        return refused_save(exc)
    return jsonify(saved_at=_iso(item.saved_at), version=item.draft_version)


@api.put("/interviews/<int:interview_id>/items/<int:number>/answer")
def save_interview_answer(interview_id: int, number: int):
    data = json_object_body('{"answer": ...}')
    if "answer" not in data:
        abort(400, "Send {\"answer\": ...}: an option index, a list of them, or text.")
    item = _item_of(interview_id, number)
    svc.save_answer(item, data["answer"])
    return jsonify(saved_at=_iso(item.saved_at))


@api.post("/interviews/<int:interview_id>/items/<int:number>/submissions")
@work_rate
def submit_interview_item(interview_id: int, number: int):
    data = json_object_body('{"files": {name: text}, "mode": "run" or "submit"}')
    item = _item_of(interview_id, number)
    submission = svc.submit_task(g.api_user, item, data.get("files"), data.get("mode", "submit"))
    return jsonify(id=submission.id, status="queued"), 202


@api.post("/interviews/<int:interview_id>/finish")
def finish_interview(interview_id: int):
    interview = load_interview(interview_id, g.api_user)
    if interview.status == "active":
        finalize(interview.id, early=True)
    return jsonify(_interview(load_interview(interview_id, g.api_user)))

"""Led mock interviews in the JSON API: the candidate's invites and watchers, the
interviewer's live state, notes, rubric and share, and both sides' timeline export.
The same rules as the pages (lab/interviews/watchers.py, reviews.py, playback.py): an
interview someone may not see is 404.
"""

from __future__ import annotations

from flask import g, jsonify, url_for

from lab.api.blueprint import api, json_object_body
from lab.interviews import live, playback, reviews, watchers
from lab.interviews.views import load_interview
from lab.interviews.watch import note_json, watched_interview
from lab.models import InterviewWatcher


def _watcher(row: InterviewWatcher) -> dict:
    return {"id": row.id, "state": row.state, "email": row.user.email if row.user else None,
            "created_at": row.created_at.isoformat() + "Z",
            "claimed_at": row.claimed_at.isoformat() + "Z" if row.claimed_at else None}


@api.post("/interviews/<int:interview_id>/invites")
def create_invite(interview_id: int):
    """A one-time link for an interviewer; the token is shown only in this answer."""
    interview = load_interview(interview_id, g.api_user)
    token = watchers.create_invite(interview)
    return jsonify(token=token, url=url_for("watch.invite", token=token, _external=True)), 201


@api.get("/interviews/<int:interview_id>/watchers")
def list_watchers(interview_id: int):
    interview = load_interview(interview_id, g.api_user)
    return jsonify(watchers=[_watcher(row) for row in watchers.watchers_of(interview)])


@api.post("/interviews/<int:interview_id>/watchers/<int:watcher_id>/revoke")
def revoke_watcher(interview_id: int, watcher_id: int):
    interview = load_interview(interview_id, g.api_user)
    row = watchers.revoke(interview, watcher_id)
    live.changed(interview.id)
    return jsonify(_watcher(row))


@api.post("/invites/<token>/accept")
def accept_invite(token: str):
    row = watchers.claim(token, g.api_user)
    live.changed(row.interview_id)
    return jsonify(interview=row.interview_id)


@api.get("/interviews/<int:interview_id>/timeline")
def own_timeline(interview_id: int):
    interview = load_interview(interview_id, g.api_user)
    playback.refuse_while_running(interview)
    return jsonify(playback.export(interview, playback.shared_notes(interview)))


@api.get("/watching/<int:interview_id>")
def watched_state(interview_id: int):
    watched_interview(interview_id, g.api_user)
    return jsonify(live.with_clock(live.state(interview_id)))


@api.get("/watching/<int:interview_id>/notes")
def list_notes(interview_id: int):
    interview = watched_interview(interview_id, g.api_user)
    return jsonify(notes=[note_json(n) for n in reviews.notes_of(interview, g.api_user)])


@api.post("/watching/<int:interview_id>/notes")
def add_note(interview_id: int):
    interview = watched_interview(interview_id, g.api_user)
    body = json_object_body('{"body": "...", "item": n, "file"?, "line_from"?, "line_to"?}')
    note = reviews.add_note(interview, g.api_user, body.get("body"), body.get("item"),
                            body.get("file"), body.get("line_from"), body.get("line_to"))
    return jsonify(note_json(note)), 201


@api.get("/watching/<int:interview_id>/review")
def get_review(interview_id: int):
    interview = watched_interview(interview_id, g.api_user)
    review = reviews.review_of(interview, g.api_user)
    return jsonify(_review(interview, review))


@api.put("/watching/<int:interview_id>/review")
def save_review(interview_id: int):
    interview = watched_interview(interview_id, g.api_user)
    body = json_object_body('{"scores": {item: {criterion: 1..4}}, "summary": "..."}')
    review = reviews.save_review(interview, g.api_user, body.get("scores", {}), body.get("summary"))
    return jsonify(_review(interview, review))


@api.post("/watching/<int:interview_id>/share")
def share_review(interview_id: int):
    interview = watched_interview(interview_id, g.api_user)
    return jsonify(_review(interview, reviews.share(interview, g.api_user)))


@api.get("/watching/<int:interview_id>/timeline")
def watched_timeline(interview_id: int):
    interview = watched_interview(interview_id, g.api_user)
    playback.refuse_while_running(interview)
    return jsonify(playback.export(interview, playback.own_notes(interview, g.api_user)))


def _review(interview, review) -> dict:
    return {"rubrics": [{"item": r.number, "title": r.title, "criteria": r.criteria}
                        for r in reviews.rubrics(interview)],
            "scores": review.scores if review else {},
            "summary": review.summary if review else "",
            "shared_at": review.shared_at.isoformat() + "Z" if review and review.shared_at else None}

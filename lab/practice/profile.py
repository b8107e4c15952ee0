"""The candidate's progress per topic, drawn as a bar chart (inline SVG, no script)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from lab.packs.problems import topic_names
from lab.submissions import service

profile = Blueprint("profile", __name__)


def topic_progress(challenges, marks) -> list[dict]:
    rows: dict[str, dict] = {}
    for challenge in challenges:
        for topic in challenge.topics:
            row = rows.setdefault(topic, {"topic": topic, "total": 0, "solved": 0, "attempted": 0})
            row["total"] += 1
            mark = marks.get(challenge.id)
            if mark == "solved":
                row["solved"] += 1
            elif mark == "attempted":
                row["attempted"] += 1
    return sorted(rows.values(), key=lambda r: r["topic"])


@profile.route("/profile")
@login_required
def show():
    marks = service.user_marks(current_user)
    challenges = service.latest_challenges()
    progress = topic_progress(challenges, marks)
    by_mark: dict[str, list] = {"solved": [], "attempted": []}
    for challenge in sorted(challenges, key=lambda c: c.title.lower()):
        if marks.get(challenge.id) in by_mark:
            by_mark[marks[challenge.id]].append(challenge)
    return render_template("profile.html", progress=progress, lists=by_mark,
                           topic_names=topic_names(),
                           solved=sum(1 for m in marks.values() if m == "solved"),
                           # tried but not solved yet, as the catalog counts them
                           attempted=sum(1 for m in marks.values() if m == "attempted"))

"""The challenge catalog and the challenge page with the editor."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lab import service

catalog = Blueprint("catalog", __name__)
DIFFICULTIES = ("easy", "medium", "hard")


@catalog.route("/")
def index():
    return redirect(url_for("catalog.challenges"))


@catalog.route("/challenges")
@login_required
def challenges():
    every = service.latest_challenges()
    topic = request.args.get("topic", "")
    kind = request.args.get("kind", "")
    difficulty = request.args.get("difficulty", "")
    shown = [c for c in every
             if (not topic or topic in c.topics) and (not kind or c.kind == kind)
             and (not difficulty or c.difficulty == difficulty)]
    return render_template(
        "catalog.html", challenges=shown, marks=service.user_marks(current_user),
        topics=sorted({t for c in every for t in c.topics}),
        kinds=sorted({c.kind for c in every}), difficulties=DIFFICULTIES,
        selected={"topic": topic, "kind": kind, "difficulty": difficulty})


def challenge_or_404(pack: str, slug: str):
    challenge = service.find_challenge(f"{pack}/{slug}")
    if challenge is None:
        abort(404, f"No challenge {pack}/{slug}.")
    if current_user.is_authenticated:
        from lab.interviews import running_interview_with

        if running_interview_with(current_user, challenge.id) is not None:
            abort(403, f"{pack}/{slug} is part of your running mock interview; its practice page "
                       "opens again when the interview ends.")
    return challenge


@catalog.route("/challenges/<pack>/<slug>")
@login_required
def challenge(pack: str, slug: str):
    found = challenge_or_404(pack, slug)
    solved = service.user_marks(current_user).get(found.id) == "solved"
    if found.kind == "quiz":
        from lab.quiz import public_questions

        return render_template("quiz.html", challenge=found, solved=solved,
                               questions=public_questions(found.questions))
    return render_template(
        "challenge.html", challenge=found, files=service.current_files(current_user, found),
        public_tests=found.folder("tests/public"), starter=found.starter, solved=solved)

"""The challenge catalog and the challenge page with the editor."""

from __future__ import annotations

import threading
from types import SimpleNamespace

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from lab.extensions import db
from lab.http_cache import no_store
from lab.interviews.service import running_interview_with
from lab.models import Pack
from lab.packs.problems import topic_names, topics
from lab.submissions import drafts, service
from worker.core.kinds.quiz import public_questions
from worker.core.vocabulary import DIFFICULTIES

catalog = Blueprint("catalog", __name__)


SAMPLE = "examples/retry-decorator"  # the task the landing page shows


@catalog.route("/")
def index():
    """Signed in: the catalog.  Otherwise a page that says what the lab is, with one
    sample task to read (running it needs an account)."""
    if current_user.is_authenticated:
        return redirect(url_for("catalog.challenges"))
    sample = service.find_challenge(SAMPLE)
    counts: dict[str, int] = {}
    for row in _catalog_rows():
        counts[row.kind] = counts.get(row.kind, 0) + 1
    return render_template("landing.html", sample=sample, counts=counts)


# The catalog's rows, per process, for the set of enabled pack versions they came from:
# challenges never change after import, so that set (with import times, which tell apart
# databases that reuse ids, as tests do) says whether the rows are still right.
# It spares the page most of its database and ORM work (measured: ~6 of its ~17 ms of CPU).
_rows: dict = {"stamp": None, "rows": ()}
_rows_lock = threading.Lock()


def _catalog_rows() -> tuple:
    stamp = tuple(tuple(row) for row in db.session.execute(
        select(Pack.id, Pack.name, Pack.version, Pack.imported_at)
        .where(Pack.enabled).order_by(Pack.id)))
    with _rows_lock:
        if _rows["stamp"] == stamp:
            return _rows["rows"]
    rows = tuple(SimpleNamespace(
        id=c.id, slug=c.slug, title=c.title, kind=c.kind, difficulty=c.difficulty,
        topics=tuple(c.topics), time_estimate_minutes=c.time_estimate_minutes,
        pack=SimpleNamespace(name=c.pack.name)) for c in service.latest_challenges())
    with _rows_lock:
        _rows.update(stamp=stamp, rows=rows)
    return rows


AREAS = {"python": "Python", "flask": "Flask", "docker": "Docker", "api": "REST APIs"}


def topic_groups(used: set[str]) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(area title, [(topic id, name), ...]), ...] for the topics some challenge has, in
    the content map's order (challenges/schema/topics.json)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for topic in topics():
        if topic["id"] in used:
            groups.setdefault(AREAS.get(topic["area"], topic["area"]), []).append(
                (topic["id"], topic.get("name", topic["id"])))
    return list(groups.items())


def matches(challenge, words: list[str], names: dict[str, str]) -> bool:
    """Every word of the search is in the title, the kind or a topic (id or name)."""
    text = " ".join([challenge.title, challenge.kind, *challenge.topics,
                     *(names.get(t, "") for t in challenge.topics)]).lower()
    return all(word in text for word in words)


@catalog.route("/challenges")
@login_required
def challenges():
    every = _catalog_rows()
    topic = request.args.get("topic", "")
    kind = request.args.get("kind", "")
    difficulty = request.args.get("difficulty", "")
    query = request.args.get("q", "").strip()[:100]
    names = topic_names()
    words = query.lower().split()
    shown = [c for c in every
             if (not topic or topic in c.topics) and (not kind or c.kind == kind)
             and (not difficulty or c.difficulty == difficulty) and matches(c, words, names)]
    return render_template(
        "catalog.html", challenges=shown, marks=service.user_marks(current_user),
        topic_groups=topic_groups({t for c in every for t in c.topics}), topic_names=names,
        kinds=sorted({c.kind for c in every}), difficulties=DIFFICULTIES, total=len(every),
        selected={"topic": topic, "kind": kind, "difficulty": difficulty, "q": query})


def refuse_during_interview(user, challenge_id: int, public_id: str,
                            what: str = "its practice page") -> None:
    """403 while `user`'s running mock interview holds the challenge: practice (its page,
    hints, history, drafts, Run/Submit, earlier practice results) would give free hints and
    unlimited hidden-suite Submits around the interview's rules.  The interview's own
    routes never call this."""
    if user is None or not user.is_authenticated:
        return

    if running_interview_with(user, challenge_id) is not None:
        abort(403, f"{public_id} is part of your running mock interview; {what} "
                   "opens again when the interview ends.")


def challenge_or_404(pack: str, slug: str):
    challenge = service.find_challenge(f"{pack}/{slug}")
    if challenge is None:
        abort(404, f"No challenge {pack}/{slug}.")
    refuse_during_interview(current_user, challenge.id, f"{pack}/{slug}")
    return challenge


@catalog.route("/challenges/<pack>/<slug>")
@login_required
def challenge(pack: str, slug: str):
    found = challenge_or_404(pack, slug)
    solved = service.user_marks(current_user).get(found.id) == "solved"
    if found.kind == "quiz":

        return render_template("quiz.html", challenge=found, solved=solved,
                               questions=public_questions(found.questions))
    files, version = drafts.current_draft(current_user, found)
    return no_store(render_template(
        "challenge.html", challenge=found, files=files, draft_version=version,
        public_tests=found.folder("tests/public"), starter=found.starter, solved=solved))

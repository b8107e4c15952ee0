"""Instructor pages (instructor and admin roles): packs and per-challenge numbers.
Pack upload and the full statistics come with the pack tooling."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from lab.auth import instructor_required
from lab.extensions import db
from lab.models import Challenge, Pack, Submission

instructor = Blueprint("instructor", __name__, url_prefix="/instructor")


@instructor.route("/")
@instructor_required
def index():
    packs = db.session.scalars(select(Pack).order_by(Pack.name, Pack.version.desc())).all()
    stats = {cid: {"attempts": n, "passed": p or 0} for cid, n, p in db.session.execute(
        select(Submission.challenge_id, func.count(Submission.id),
               func.sum(db.case((Submission.verdict == "passed", 1), else_=0)))
        .where(Submission.mode == "submit").group_by(Submission.challenge_id))}
    challenges = db.session.scalars(select(Challenge).order_by(Challenge.pack_id)).all()
    return render_template("instructor.html", packs=packs, challenges=challenges, stats=stats)

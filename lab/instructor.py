"""Instructor pages (instructor and admin roles): packs and versions, uploads verified
by a worker, and per-challenge statistics."""

from __future__ import annotations

import statistics
from collections import Counter

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from lab.auth import instructor_required
from lab.extensions import db
from lab.models import Challenge, Pack, PackUpload, Submission

instructor = Blueprint("instructor", __name__, url_prefix="/instructor")
MAX_UPLOAD = 32 * 1024 * 1024


def challenge_stats(challenge_ids: list[int]) -> dict[int, dict]:
    """attempts, pass rate, median minutes from first try to first pass, the test that
    fails most often (Submit runs only)."""
    rows = db.session.execute(
        select(Submission.challenge_id, Submission.user_id, Submission.verdict,
               Submission.created_at, Submission.result)
        .where(Submission.mode == "submit", Submission.status == "done",
               Submission.challenge_id.in_(challenge_ids))
        .order_by(Submission.created_at)).all()
    stats: dict[int, dict] = {}
    first_try: dict[tuple[int, int], object] = {}
    solved: dict[tuple[int, int], float] = {}
    failing: dict[int, Counter] = {}
    for challenge_id, user_id, verdict, created, result in rows:
        entry = stats.setdefault(challenge_id, {"attempts": 0, "passed": 0})
        entry["attempts"] += 1
        key = (challenge_id, user_id)
        first_try.setdefault(key, created)
        if verdict == "passed":
            entry["passed"] += 1
            solved.setdefault(key, (created - first_try[key]).total_seconds() / 60)
        for test in (result or {}).get("tests", []):
            if test.get("outcome") != "passed":
                failing.setdefault(challenge_id, Counter())[test.get("name", "?")] += 1
    for challenge_id, entry in stats.items():
        times = [m for (cid, _), m in solved.items() if cid == challenge_id]
        entry["pass_rate"] = round(100 * entry["passed"] / entry["attempts"])
        entry["median_minutes"] = round(statistics.median(times), 1) if times else None
        common = failing.get(challenge_id, Counter()).most_common(1)
        entry["top_failing"] = f"{common[0][0]} ({common[0][1]}x)" if common else ""
    return stats


@instructor.route("/")
@instructor_required
def index():
    packs = db.session.scalars(select(Pack).order_by(Pack.name, Pack.version.desc())).all()
    challenges = db.session.scalars(select(Challenge).order_by(Challenge.pack_id,
                                                               Challenge.slug)).all()
    uploads = db.session.scalars(select(PackUpload).order_by(PackUpload.id.desc()).limit(20)).all()
    return render_template("instructor.html", packs=packs, challenges=challenges, uploads=uploads,
                           stats=challenge_stats([c.id for c in challenges]))


@instructor.route("/packs", methods=["POST"])
@instructor_required
def upload():
    from lab.pack_zip import ZipRefused, check_entries

    request.max_content_length = MAX_UPLOAD
    file = request.files.get("pack")
    if file is None or not file.filename:
        abort(400, "Choose a pack zip to upload.")
    data = file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        abort(413, f"The zip is over {MAX_UPLOAD // 2**20} MiB.")
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_entries(archive)
    except zipfile.BadZipFile:
        abort(400, f"{file.filename}: not a zip file.")
    except ZipRefused as exc:
        abort(400, f"{file.filename}: refused: {exc}")
    row = PackUpload(user_id=current_user.id, filename=file.filename[:255], data=data)
    db.session.add(row)
    db.session.commit()
    from worker.tasks import verify_upload

    try:
        verify_upload.apply_async(args=[row.id], retry=False, queue="build")
    except Exception:  # noqa: BLE001 - the upload is stored; it can be re-queued
        flash("The upload is stored, but no worker could be reached yet.")
    return redirect(url_for("instructor.show_upload", upload_id=row.id), 303)


@instructor.route("/uploads/<int:upload_id>")
@instructor_required
def show_upload(upload_id: int):
    row = db.session.get(PackUpload, upload_id)
    if row is None:
        abort(404, "No such upload.")
    return render_template("upload.html", upload=row)


@instructor.route("/packs/<int:pack_id>/enabled", methods=["POST"])
@instructor_required
def set_enabled(pack_id: int):
    pack = db.session.get(Pack, pack_id)
    if pack is None:
        abort(404, "No such pack.")
    pack.enabled = request.form.get("enabled") == "1"
    db.session.commit()
    flash(f"{pack.name} version {pack.version} is {'enabled' if pack.enabled else 'disabled'}.")
    return redirect(url_for("instructor.index"), 303)

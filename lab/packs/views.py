"""Instructor pages (instructor and admin roles): packs and versions, uploads verified
by a worker, per-challenge statistics (kept by lab/stats/counting.py, read by
lab/stats/query.py) and mock interview statistics (lab/stats/interviews.py)."""

from __future__ import annotations

import io
import zipfile

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, defer

from lab import task_queue
from lab.accounts.access import instructor_required
from lab.extensions import db
from lab.models import Challenge, InterviewTemplate, Pack, PackUpload
from lab.packs.archive import ZipRefused, check_entries
from lab.stats.counting import window_start
from lab.stats.interviews import item_stats, template_stats
from lab.stats.query import challenge_stats
from worker.core.queues import BUILD, VERIFY_UPLOAD_TASK

instructor = Blueprint("instructor", __name__, url_prefix="/instructor")
MAX_UPLOAD = 32 * 1024 * 1024


WINDOWS = {"7": 7, "30": 30}  # ?days=: the last 7 or 30 UTC days; anything else: all
# ?sort= of the statistics table: the figure each column sorts by, None where there is
# none (no Submits yet, nobody solved it); those rows come last in either order.
SORTS = {
    "challenge": lambda c, s: (c.pack.name, c.slug, c.pack.version),
    "kind": lambda c, s: c.kind,
    "submits": lambda c, s: s["attempts"] if s else 0,
    "pass_rate": lambda c, s: s["pass_rate"] if s else None,
    "median": lambda c, s: s["median_minutes"] if s else None,
}


@instructor.route("/")
@instructor_required
def index():
    return _packs_page()


def _packs_page(upload_error: str = ""):
    """The packs page; `upload_error` says, above the upload form, why an upload was
    refused (the page stays where the instructor can try again)."""
    # The big columns (files, questions, prompts; upload bytes) are never shown here.
    packs = db.session.scalars(select(Pack).options(defer(Pack.source))
                               .order_by(Pack.name, Pack.version.desc())).all()
    sizes = dict(db.session.execute(select(Challenge.pack_id, func.count())
                                    .group_by(Challenge.pack_id)).all())
    pack_name = request.args.get("pack", "")
    days = WINDOWS.get(request.args.get("days", ""))
    query = (select(Challenge).join(Challenge.pack)
             .options(defer(Challenge.files), defer(Challenge.questions),
                      defer(Challenge.prompt_md), defer(Challenge.explanation),
                      contains_eager(Challenge.pack))
             .order_by(Challenge.pack_id, Challenge.slug))
    if pack_name:
        query = query.where(Pack.name == pack_name)
    challenges = db.session.scalars(query).all()
    uploads = db.session.scalars(select(PackUpload).options(defer(PackUpload.data),
                                                            defer(PackUpload.report))
                                 .order_by(PackUpload.id.desc()).limit(20)).all()
    stats = challenge_stats([c.id for c in challenges], window_start(days))
    kinds = sorted({c.kind for c in challenges})
    kind = request.args.get("kind", "")
    if kind in kinds:
        challenges = [c for c in challenges if c.kind == kind]
    sort = request.args.get("sort", "challenge")
    sort = sort if sort in SORTS else "challenge"
    descending = request.args.get("order") == "desc"
    figure = {c.id: SORTS[sort](c, stats.get(c.id)) for c in challenges}
    known = sorted((c for c in challenges if figure[c.id] is not None),
                   key=lambda c: (figure[c.id], c.public_id), reverse=descending)
    challenges = known + [c for c in challenges if figure[c.id] is None]
    return render_template("instructor.html", packs=packs, sizes=sizes, challenges=challenges,
                           uploads=uploads, stats=stats, days=days, pack_name=pack_name,
                           pack_names=sorted({p.name for p in packs}), upload_error=upload_error,
                           kinds=kinds, kind=kind if kind in kinds else "", sort=sort,
                           descending=descending)


@instructor.route("/packs", methods=["POST"])
@instructor_required
def upload():
    request.max_content_length = MAX_UPLOAD
    file = request.files.get("pack")
    if file is None or not file.filename:
        return _packs_page("Choose a pack zip to upload."), 400
    data = file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        return _packs_page(f"{file.filename}: the zip is over {MAX_UPLOAD // 2**20} MiB."), 413
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_entries(archive)
    except zipfile.BadZipFile:
        return _packs_page(f"{file.filename}: not a zip file."), 400
    except ZipRefused as exc:
        return _packs_page(f"{file.filename}: refused: {exc}"), 400
    row = PackUpload(user_id=current_user.id, filename=file.filename[:255], data=data)
    db.session.add(row)
    db.session.commit()
    try:
        task_queue.send_job(VERIFY_UPLOAD_TASK, [row.id], BUILD)
    except Exception:  # noqa: BLE001 - the upload is stored; it can be re-queued
        flash("The upload is stored, but no worker could be reached yet.")
    return redirect(url_for("instructor.show_upload", upload_id=row.id), 303)


@instructor.route("/uploads/<int:upload_id>")
@instructor_required
def show_upload(upload_id: int):
    row = db.get_or_404(PackUpload, upload_id, description="No such upload.")
    return render_template("upload.html", upload=row)


@instructor.route("/packs/<int:pack_id>/enabled", methods=["POST"])
@instructor_required
def set_enabled(pack_id: int):
    pack = db.get_or_404(Pack, pack_id, description="No such pack.")
    pack.enabled = request.form.get("enabled") == "1"
    db.session.commit()
    flash(f"{pack.name} version {pack.version} is {'enabled' if pack.enabled else 'disabled'}.")
    return redirect(url_for("instructor.index"), 303)


@instructor.get("/interviews")
@instructor_required
def interview_stats():
    return render_template("instructor_interviews.html", rows=template_stats())


@instructor.get("/interviews/<int:template_id>")
@instructor_required
def interview_template_stats(template_id: int):
    template = db.get_or_404(InterviewTemplate, template_id,
                             description="No such interview template.")
    summary = next(iter(template_stats(template_id)), None)
    return render_template("instructor_interview_items.html", template=template,
                           summary=summary, rows=item_stats(template_id))

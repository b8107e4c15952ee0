"""The grading task and the sweeper that keeps no submission behind.

Exactly-once storage: a run first *claims* the submission with a conditional update
(queued -> running, or a running claim older than `stuck_after`), writing a fresh
claim token; only the holder of the current token may store the result, again with a
conditional update.  A redelivered or duplicated message finds nothing to claim.  The
claim also names its worker (host:pid): when that worker's heartbeat expires, another
worker releases the claim and queues the run again (worker/jobs/liveness.py), long before
`stuck_after`; the released token can store nothing any more.

Engine trouble is waited out, not handed to the candidate (worker/core/engine.py): while this
worker's Docker engine does not answer, the task leaves the submission queued and comes
back with a backoff; a run that fails on our side is released and retried with a
backoff.  Only when `LAB_ENGINE_WAIT_SECONDS` have passed since the submission does it
store `infra_error`, and the sweeper regrades those once the engine answers again.
"""

from __future__ import annotations

import json
import logging
import tempfile
import threading
import uuid
from datetime import timedelta
from functools import partial
from pathlib import Path

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from flask import current_app
from sqlalchemy import and_, or_, select, update

from lab.extensions import db
from lab.interviews import live
from lab.interviews.catalog import database_catalog
from lab.interviews.finalize import complete_if_ready, sweep_interviews
from lab.models import InterviewItem, PackUpload, Submission, utcnow
from lab.ops.metrics import record_grading, record_pool
from lab.packs.archive import ZipRefused, extract_pack_zip
from lab.packs.guard import check_upload
from lab.packs.importer import already_imported, import_pack, imported_version
from lab.packs.problems import PackError
from lab.packs.verify import verify_pack
from lab.stats import counting as stats
from lab.submissions.push import publish_done
from lab.submissions.service import enqueue
from worker.core import safe_yaml
from worker.core.challenge import Challenge as CoreChallenge
from worker.core.engine import engine_watch, start_engine_watch
from worker.core.grading import grade
from worker.core.images import runner_image
from worker.core.kinds import KINDS
from worker.core.lab_redis import heartbeat_key, redis_client
from worker.core.pool import push_counts, start_process_pool, stop_process_pool
from worker.core.reaper import reap
from worker.core.result import Result
from worker.core.sandbox import InfraError, connect, runtime_problem
from worker.jobs.liveness import DEAD_AFTER_SECONDS, start_heartbeat, worker_name
from worker.jobs.sandbox_info import publish_sandbox_versions

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3  # runs that fail on our side while the engine answers (a broken challenge)
REGRADE_LIMIT = 12  # claims after which a stored infra_error is left alone
MAX_BACKOFF = 30.0


def backoff(retries: int) -> float:
    """Seconds before the next try: 1, 2, 4, ... up to MAX_BACKOFF."""
    return min(MAX_BACKOFF, 2.0 ** min(retries, 10))


def core_challenge(challenge) -> CoreChallenge:
    # Only kinds with probes need their YAML at grading time; the others skip parsing it.
    meta = (safe_yaml.load(challenge.files.get("challenge.yaml", ""),
                           f"{challenge.public_id}/challenge.yaml") or {}
            if getattr(KINDS.get(challenge.kind), "probes", False) else {})
    return CoreChallenge(
        path=Path(f"/db/{challenge.public_id}"), slug=challenge.slug, title=challenge.title,
        kind=challenge.kind, editable=tuple(challenge.editable), limits=dict(challenge.limits),
        points=dict(challenge.points), probes=tuple(meta.get("probes") or ()),
        stored={k: v.encode("utf-8") for k, v in challenge.files.items()},
    )


def _claim(submission_id: int, stuck_after: float) -> str | None:
    token = uuid.uuid4().hex
    now = utcnow()
    stale = now - timedelta(seconds=stuck_after)
    claimed = db.session.execute(
        update(Submission)
        .where(Submission.id == submission_id,
               or_(Submission.status == "queued",
                   and_(Submission.status == "running", Submission.started_at < stale)))
        .values(status="running", claim=token, claimed_by=worker_name(), started_at=now,
                attempts=Submission.attempts + 1)
    ).rowcount
    db.session.commit()
    return token if claimed else None


def _store(submission_id: int, token: str, result: Result) -> bool:
    document = result.to_dict()
    stored = db.session.execute(
        update(Submission)
        .where(Submission.id == submission_id, Submission.claim == token,
               Submission.status == "running")
        .values(status="done", verdict=result.verdict, score=result.score,
                max_score=result.max_score, result=document, finished_at=utcnow(),
                results_stored=Submission.results_stored + 1)
    ).rowcount
    if stored:
        # In the same transaction: the statistics never show a result that is not stored,
        # nor miss one that is.
        connection = db.session.connection()
        row = connection.execute(select(Submission.mode, Submission.challenge_id,
                                        Submission.user_id, Submission.created_at)
                                 .where(Submission.id == submission_id)).one()
        item = stats.counted(submission_id, row.mode, "done", result.verdict, document,
                             row.challenge_id, row.user_id, row.created_at)
        if item is not None:
            stats.count(connection, item)
    db.session.commit()
    if stored:

        # After the commit, so a waiter woken by the message finds the result; never raises.
        publish_done(current_app.config["LAB_SETTINGS"], submission_id, result.verdict)
        live.submission_changed(submission_id)  # an interview's watchers see the verdict
    return bool(stored)


def _release(submission_id: int, token: str) -> None:
    db.session.execute(update(Submission)
                       .where(Submission.id == submission_id, Submission.claim == token)
                       .values(status="queued", claim=None, claimed_by=None))
    db.session.commit()


@shared_task(name="lab.grade", bind=True, acks_late=True, reject_on_worker_lost=True)
def grade_submission(self, submission_id: int) -> str:
    settings = current_app.config["LAB_SETTINGS"]
    watch = engine_watch()
    if watch is not None and not watch.available() and not _window_over(submission_id, settings):
        # Paused: the engine does not answer.  The submission stays queued, unclaimed.
        raise self.retry(countdown=backoff(self.request.retries), max_retries=None)
    token = _claim(submission_id, settings.stuck_after_seconds)
    if token is None:
        return "nothing to do"  # done already, or another worker holds a live claim
    submission = db.session.get(Submission, submission_id)
    files = {k: v.encode("utf-8") for k, v in submission.files.items()}
    try:
        if watch is not None and not watch.available():
            raise _EngineGone(watch.status())
        result = grade(core_challenge(submission.challenge), files, submission.mode,
                       settings=settings)
    except _EngineGone as exc:
        result = Result(verdict="infra_error", message=str(exc))
    except SoftTimeLimitExceeded:
        result = Result(verdict="infra_error", message="grading took too long on our side")
    except Exception as exc:  # noqa: BLE001 - a broken challenge must not wedge the queue
        log.exception("grading submission %s failed", submission_id)
        result = Result(verdict="infra_error", message=f"grading failed on our side: {exc}")
    if result.verdict == "infra_error":
        engine_down = watch is not None and not watch.check()
        waited = (utcnow() - submission.created_at).total_seconds()
        if (engine_down and waited < settings.engine_wait_seconds) or (
                not engine_down and submission.attempts < MAX_ATTEMPTS):
            _release(submission_id, token)
            raise self.retry(countdown=backoff(self.request.retries), max_retries=None)
        result.message = (f"not graded: {result.message}. It will be regraded automatically "
                          "once grading works again; it never counts against you.")
    if not _store(submission_id, token, result):
        log.warning("submission %s: result not stored, another claim took over", submission_id)
        return "superseded"

    record_grading(settings, submission.challenge.kind, result.verdict,
                   (utcnow() - submission.created_at).total_seconds())
    if submission.interview_item_id is not None:
        _complete_interview(submission.interview_item_id)
    return result.verdict


class _EngineGone(Exception):
    """The engine stopped answering between the claim and the run."""


def _window_over(submission_id: int, settings) -> bool:
    """Has this submission waited longer than LAB_ENGINE_WAIT_SECONDS?"""
    created = db.session.scalar(select(Submission.created_at).where(Submission.id == submission_id))
    db.session.commit()
    return created is None or (utcnow() - created).total_seconds() >= settings.engine_wait_seconds


def _complete_interview(item_id: int) -> None:
    """The last verdict an ended interview waited for writes its scorecard at once."""

    try:
        item = db.session.get(InterviewItem, item_id)
        if item is not None:
            complete_if_ready(item.interview_id)
    except Exception:  # noqa: BLE001 - the sweeper completes it later; the verdict is stored
        db.session.rollback()
        log.exception("completing the interview of item %s failed", item_id)


def sweep(app) -> dict:
    """Re-enqueue what is stuck, remove leftover containers, beat the heartbeat."""

    settings = app.config["LAB_SETTINGS"]
    counts = {"requeued": 0, "reaped": 0}
    with app.app_context():
        stale = utcnow() - timedelta(seconds=settings.stuck_after_seconds)
        stuck = db.session.scalars(select(Submission.id).where(
            or_(and_(Submission.status == "queued",
                     or_(Submission.enqueued_at.is_(None), Submission.enqueued_at < stale)),
                and_(Submission.status == "running", Submission.started_at < stale)))).all()
        for submission_id in stuck:
            if enqueue(submission_id):
                counts["requeued"] += 1
        counts["regraded"] = _regrade_infra_errors(enqueue)
        try:

            counts.update(sweep_interviews())
        except Exception:  # noqa: BLE001 - housekeeping must never stop the sweeper
            db.session.rollback()
            log.exception("interview sweep failed")
        db.session.remove()
    try:

        counts["reaped"] = len(reap(connect(), settings.reap_after_seconds))
    except Exception as exc:  # noqa: BLE001 - housekeeping must never stop the sweeper
        log.warning("reaper: %s", exc)
    _heartbeat(app)
    return counts


def _regrade_infra_errors(enqueue) -> int:
    """Submissions stored as infra_error go back to the queue once this worker's engine
    answers (at most REGRADE_LIMIT claims in all, so a challenge that always fails on our
    side does not loop)."""

    watch = engine_watch()
    if watch is None or not watch.available():
        return 0
    ids = db.session.scalars(select(Submission.id).where(
        Submission.status == "done", Submission.verdict == "infra_error",
        Submission.attempts < REGRADE_LIMIT)).all()
    regraded = 0
    for submission_id in ids:
        reopened = reopen_for_regrade(submission_id)
        if reopened and enqueue(submission_id):
            regraded += 1
    if regraded:
        log.info("regrading %d submissions that failed on our side", regraded)
    return regraded


def reopen_for_regrade(submission_id: int) -> bool:
    """Queue a stored infra_error again; its Submit stops counting in the statistics
    until the regrade stores a result (one transaction)."""

    reopened = db.session.execute(
        update(Submission).where(Submission.id == submission_id, Submission.status == "done",
                                 Submission.verdict == "infra_error")
        .values(status="queued", verdict=None, claim=None, finished_at=None)).rowcount
    if reopened:
        # The row is ours now (written in this transaction) and keeps its old result.
        connection = db.session.connection()
        row = connection.execute(select(Submission.mode, Submission.result, Submission.challenge_id,
                                        Submission.user_id, Submission.created_at)
                                 .where(Submission.id == submission_id)).one()
        item = stats.counted(submission_id, row.mode, "done", "infra_error", row.result,
                             row.challenge_id, row.user_id, row.created_at)
        if item is not None:
            stats.uncount(connection, item)
    db.session.commit()
    return bool(reopened)


def _engine_changed(app) -> None:
    """Tell /healthz at once; when the engine is back, send every queued submission to
    the queue again now, rather than when its backoff ends (duplicates find no claim)."""

    _heartbeat(app)
    watch = engine_watch()
    if watch is None or not watch.available():
        return

    with app.app_context():
        waiting = db.session.scalars(select(Submission.id).where(
            Submission.status == "queued")).all()
        for submission_id in waiting:
            enqueue(submission_id)
        db.session.remove()
    if waiting:
        log.info("engine back: %d queued submissions sent again", len(waiting))


_RUNTIME_OK: set[str] = set()  # runtimes this process found on its engine


def _runtime_state(runtime: str) -> str:
    """'' once the engine lists `runtime` (asked until it does, then remembered), else
    why not: an engine without it fails every grading, which /healthz should say."""
    if runtime in _RUNTIME_OK:
        return ""
    try:
        client = connect()
    except InfraError as exc:
        return str(exc)[:300]
    try:
        problem = runtime_problem(client, runtime)
    finally:
        client.close()
    if not problem:
        _RUNTIME_OK.add(runtime)
    return problem[:300]


def _heartbeat(app) -> bool:
    """Tell the web side this worker lives and whether its Docker engine answers (the
    web containers have no engine of their own to ask); other workers take over the runs
    of a worker whose heartbeat expires (worker/jobs/liveness.py).  True if Redis took it."""

    settings = app.config["LAB_SETTINGS"]
    watch = engine_watch()
    if watch is not None:
        engine = watch.status()[:300]
    else:
        try:
            connect().close()
            engine = "ok"
        except InfraError as exc:
            engine = str(exc)[:300]
    if engine == "ok" and settings.runtime:
        engine = _runtime_state(settings.runtime) or "ok"
    try:
        client = redis_client(settings, timeout=2)
        client.set(heartbeat_key(worker_name()),
                   json.dumps({"at": utcnow().isoformat(), "docker": engine,
                               "runtime": settings.runtime or "default"}),
                   px=int(DEAD_AFTER_SECONDS * 1000))
    except Exception as exc:  # noqa: BLE001
        log.warning("heartbeat: %s", exc)
        return False
    return True


def start_pool(app) -> None:
    """Warm sandbox pool of this worker process (LAB_POOL_SIZE; 0: none), its counters
    pushed to Redis for /metrics.  Grading runs cold if the pool cannot start."""

    settings = app.config["LAB_SETTINGS"]
    # First the engine watch: the pool's fillers wait on it, and every change of the
    # engine's state reaches /healthz at once through a heartbeat.
    start_engine_watch(on_change=lambda: _engine_changed(app))
    on_stats = partial(record_pool, settings)
    try:
        if start_process_pool(settings, on_stats=on_stats) is None:
            push_counts(on_stats)  # no pool: the cold starts still reach /metrics
    except Exception:  # noqa: BLE001 - without a pool every run is simply cold
        log.exception("the warm sandbox pool did not start")
        push_counts(on_stats)


def stop_pool() -> None:
    """Remove the pool's containers (worker shutdown; also registered with atexit)."""

    stop_process_pool()


def start_sweeper(app) -> threading.Thread:
    """The sweeper thread, and beside it the heartbeat that also takes over the runs of
    dead workers (its own thread: a sweep may wait on the engine for a while)."""

    settings = app.config["LAB_SETTINGS"]
    start_heartbeat(app, lambda: _heartbeat(app))
    stop = threading.Event()

    def loop() -> None:
        told_versions = False
        while not stop.is_set():
            if not told_versions:
                told_versions = publish_sandbox_versions(settings)
            try:
                counts = sweep(app)
                if any(counts.values()):
                    log.info("sweeper: %s", counts)
            except Exception:  # noqa: BLE001
                log.exception("sweeper round failed")
            stop.wait(settings.sweep_every_seconds)

    thread = threading.Thread(target=loop, name="lab-sweeper", daemon=True)
    thread.stop = stop  # type: ignore[attr-defined]
    thread.start()
    return thread


def verify_upload_now(upload_id: int) -> bool:
    """Extract, validate, verify and (when all holds) import an uploaded pack zip."""

    settings = current_app.config["LAB_SETTINGS"]
    claimed = db.session.execute(update(PackUpload).where(PackUpload.id == upload_id,
                                                          PackUpload.status == "queued")
                                 .values(status="running")).rowcount
    db.session.commit()
    if not claimed:
        return False
    upload = db.session.get(PackUpload, upload_id)
    report: dict = {"problems": [], "checks": [], "imported": None}
    ok = False
    with tempfile.TemporaryDirectory(prefix="lab-upload-") as tmp:
        try:
            folder = extract_pack_zip(upload.data, Path(tmp))
            image = runner_image(settings)

            # Interview templates may draw from any pack this lab holds, not only bundled ones.
            known = database_catalog()
            # first in a child process with a clock and a memory cap (lab/packs/guard.py)
            check_upload(folder, settings, (known.items, known.pack_names))
            # A version this lab holds is refused before any sandbox run: it could not be
            # imported anyway.  pack.yaml passed validation just above.
            meta = safe_yaml.load((folder / "pack.yaml").read_text(encoding="utf-8"), "pack.yaml")
            if imported_version(meta["name"], meta["version"]) is not None:
                raise already_imported(meta["name"], meta["version"])
            verified = verify_pack(folder, settings, connect(), image,
                                   catalog=(known.items, known.pack_names))
            report["problems"] = [str(p) for p in verified.pack.problems]
            report["checks"] = [{"challenge": c.challenge, "what": c.what, "ok": c.ok,
                                 "detail": c.detail, "seconds": c.seconds} for c in verified.checks]
            if verified.ok:
                pack, _ = import_pack(folder, settings)
                upload.pack_id = pack.id
                report["imported"] = f"{pack.name} version {pack.version}"
                ok = True
        except ZipRefused as exc:
            report["problems"].append(f"refused: {exc}")
        except PackError as exc:
            report["problems"].append(str(exc))
            report["problems"].extend(str(p) for p in exc.problems)
        except Exception as exc:  # noqa: BLE001 - the report must say what happened
            log.exception("verifying upload %s failed", upload_id)
            report["problems"].append(f"verification failed on our side: {exc}")
    db.session.execute(update(PackUpload).where(PackUpload.id == upload_id).values(
        status="done", ok=ok, report=report, pack_id=upload.pack_id, finished_at=utcnow()))
    db.session.commit()
    return ok


@shared_task(name="lab.verify_upload", acks_late=True, reject_on_worker_lost=True)
def verify_upload(upload_id: int) -> bool:
    return verify_upload_now(upload_id)

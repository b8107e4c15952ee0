"""Which grading workers are alive, and what happens to the runs of one that is not.

Every worker process writes a heartbeat key in Redis (`lab:worker:<host>:<pid>`, spelled
in worker/core/lab_redis.py, read by /healthz too) every HEARTBEAT_EVERY_SECONDS, with a
time to live of DEAD_AFTER_SECONDS, and each claim it makes records that name
(`submissions.claimed_by`).  A worker that dies
(kill -9, a lost machine, an OOM kill) stops beating; its key expires; and the next live
worker to look releases the dead worker's `running` claims and queues them again.  A run
is therefore taken over about DEAD_AFTER_SECONDS after its worker died, rather than after
`LAB_STUCK_AFTER_SECONDS`, which must stay above the longest run any challenge may ask for
and remains the fallback (claims without a name, Redis unreachable).

Never twice: a released claim's token is gone, so if the "dead" worker was only cut off
from Redis and finishes anyway, its result is refused (worker/jobs/tasks.py `_store`), and
the new claim's result is the one stored.  A worker only judges others once Redis has
taken two of its own heartbeats in a row, so after a Redis outage every live worker has
had a beat to show itself again before anyone is declared dead.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select, update

from lab.extensions import db
from lab.models import Submission, utcnow
from lab.submissions.service import enqueue
from worker.core.lab_redis import heartbeat_key, redis_client

log = logging.getLogger(__name__)

HEARTBEAT_EVERY_SECONDS = 2.0
# Four beats: a worker busy with four gradings still finds a moment for one of them.
DEAD_AFTER_SECONDS = 8.0


def worker_name(pid: int | None = None) -> str:
    """This worker process's name in heartbeats and claims: host:pid."""
    return f"{socket.gethostname()}:{os.getpid() if pid is None else pid}"


def reclaim_orphans(app, client, me: str) -> int:
    """Queue again the running submissions whose claiming worker has no heartbeat any
    more; how many were released.  Claims younger than DEAD_AFTER_SECONDS are left
    alone: their worker may not have beaten yet."""

    released = 0
    with app.app_context():
        try:
            settled = utcnow() - timedelta(seconds=DEAD_AFTER_SECONDS)
            rows = db.session.execute(select(
                Submission.id, Submission.claim, Submission.claimed_by).where(
                Submission.status == "running", Submission.claimed_by.is_not(None),
                Submission.claimed_by != me, Submission.started_at < settled)).all()
            db.session.commit()
            owners = {row.claimed_by for row in rows}
            dead = {owner for owner in owners if not client.exists(heartbeat_key(owner))}
            for row in rows:
                if row.claimed_by not in dead:
                    continue
                # Conditional on the claim token: if the claim changed meanwhile, it is
                # someone else's now.  enqueued_at cleared: should the broker refuse the
                # message, the sweeper's next round sends it.
                done = db.session.execute(update(Submission).where(
                    Submission.id == row.id, Submission.claim == row.claim,
                    Submission.status == "running").values(
                    status="queued", claim=None, claimed_by=None, enqueued_at=None)).rowcount
                db.session.commit()
                if done:
                    log.warning("submission %s: its worker %s stopped beating; queued again",
                                row.id, row.claimed_by)
                    enqueue(row.id)
                    released += 1
        finally:
            db.session.remove()
    return released


def start_heartbeat(app, beat: Callable[[], bool]) -> threading.Thread:
    """A thread that calls beat() (True: Redis took the heartbeat) every
    HEARTBEAT_EVERY_SECONDS and then takes over the runs of dead workers."""

    settings = app.config["LAB_SETTINGS"]
    client = redis_client(settings, timeout=2)
    stop = threading.Event()
    me = worker_name()

    def loop() -> None:
        answered_since: float | None = None
        while True:
            now = time.monotonic()
            if beat():
                answered_since = answered_since or now
            else:
                answered_since = None
            if answered_since is not None and now - answered_since >= HEARTBEAT_EVERY_SECONDS:
                try:
                    reclaim_orphans(app, client, me)
                except Exception:  # noqa: BLE001 - the next beat tries again
                    log.exception("taking over the runs of dead workers failed")
            if stop.wait(HEARTBEAT_EVERY_SECONDS):
                return

    thread = threading.Thread(target=loop, name="lab-heartbeat", daemon=True)
    thread.stop = stop  # type: ignore[attr-defined]
    thread.start()
    return thread

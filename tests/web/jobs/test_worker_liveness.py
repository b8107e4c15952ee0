"""The runs of a worker whose heartbeat has expired are queued again within seconds, and
the dead worker's claim can store nothing afterwards (worker/jobs/liveness.py).  Heartbeat keys
come from a stand-in for Redis; tests/stack/test_self_healing.py kills a real worker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from lab.extensions import db
from lab.models import Challenge, Submission, User, utcnow
from tests.helpers import make_user
from worker.core.result import Result
from worker.jobs.liveness import heartbeat_key, reclaim_orphans


class Beats:
    """Redis as far as reclaim_orphans asks it: which heartbeat keys exist."""

    def __init__(self, *alive: str) -> None:
        self.keys = {heartbeat_key(name) for name in alive}

    def exists(self, key: str) -> int:
        return int(key in self.keys)


@pytest.fixture
def rows(app):
    """Three queued submissions of one candidate."""
    make_user(app, "beat@example.com")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "beat@example.com"))
        challenge = db.session.scalars(select(Challenge)).first()
        made = [Submission(user_id=user.id, challenge_id=challenge.id, mode="submit",
                           files={"solution.py": ""}) for _ in range(3)]
        db.session.add_all(made)
        db.session.commit()
        ids = [s.id for s in made]
        db.session.remove()
    return ids


def claim_as(app, monkeypatch, submission_id: int, worker: str, age: float) -> str:
    from worker.jobs.tasks import _claim

    monkeypatch.setattr("worker.jobs.tasks.worker_name", lambda: worker)
    with app.app_context():
        token = _claim(submission_id, 120)
        db.session.execute(update(Submission).where(Submission.id == submission_id)
                           .values(started_at=utcnow() - timedelta(seconds=age)))
        db.session.commit()
        db.session.remove()
    assert token is not None
    return token


def read(app, submission_id: int) -> Submission:
    with app.app_context():
        found = db.session.get(Submission, submission_id)
        db.session.expunge(found)
        db.session.remove()
        return found


def test_a_dead_workers_runs_are_queued_again_and_its_late_result_is_refused(
        app, rows, monkeypatch):
    from worker.jobs.tasks import _claim, _store

    orphan, alive, young = rows
    dead_token = claim_as(app, monkeypatch, orphan, "host:1", age=20)
    claim_as(app, monkeypatch, alive, "host:2", age=20)
    claim_as(app, monkeypatch, young, "host:1", age=1)  # its worker may not have beaten yet

    assert reclaim_orphans(app, Beats("host:2"), me="host:3") == 1
    assert app.enqueued == [orphan]
    released = read(app, orphan)
    assert (released.status, released.claim, released.claimed_by) == ("queued", None, None)
    assert read(app, alive).status == "running" and read(app, alive).claimed_by == "host:2"
    assert read(app, young).status == "running"

    # The "dead" worker was only cut off and finishes anyway: its result is refused.
    with app.app_context():
        assert not _store(orphan, dead_token, Result(verdict="failed", score=0, max_score=3))
        monkeypatch.setattr("worker.jobs.tasks.worker_name", lambda: "host:3")
        token = _claim(orphan, 120)
        assert _store(orphan, token, Result(verdict="passed", score=3, max_score=3))
        db.session.remove()
    done = read(app, orphan)
    assert (done.verdict, done.results_stored, done.attempts, done.claimed_by) == (
        "passed", 1, 2, "host:3")

    # Nothing left to take over; a second look changes nothing.
    assert reclaim_orphans(app, Beats("host:2"), me="host:3") == 0
    assert app.enqueued == [orphan]


def test_a_worker_never_releases_its_own_claims(app, rows, monkeypatch):
    claim_as(app, monkeypatch, rows[0], "host:3", age=60)
    assert reclaim_orphans(app, Beats(), me="host:3") == 0
    assert read(app, rows[0]).status == "running"

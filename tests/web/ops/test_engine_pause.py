"""The grading task waits out an engine that does not answer instead of failing the
submission; past LAB_ENGINE_WAIT_SECONDS it stores infra_error, which the sweeper
regrades once the engine answers again.  (The engine and the grader are stand-ins here;
tests/stack/test_engine_restart.py restarts a real engine under load.)"""

from datetime import timedelta

import pytest
from celery.exceptions import Retry

from lab.extensions import db
from lab.models import Submission, utcnow
from worker.core import engine as engine_module
from worker.core.engine import EngineWatch
from worker.core.per_process import PerProcess
from worker.core.result import Result


class Engine:
    def __init__(self) -> None:
        self.up = True

    def ping(self) -> None:
        if not self.up:
            raise ConnectionRefusedError("Connection refused")


@pytest.fixture
def engine(monkeypatch):
    fake = Engine()
    watch = EngineWatch(fake.ping)
    holder = PerProcess()
    holder.start(lambda: watch)
    monkeypatch.setattr(engine_module, "_WATCH", holder)
    fake.watch = watch
    return fake


@pytest.fixture
def submission(app, candidate):
    response = candidate.post("/challenges/examples/retry-decorator/submissions",
                              data={"file:solution.py": "def retry(n):\n    pass\n",
                                    "mode": "submit", "csrf_token": candidate.csrf},
                              headers={"Accept": "application/json"})
    return response.get_json()["id"]


def grades(monkeypatch, verdicts: list[str], engine=None, down_after: bool = False):
    calls = []

    def fake_grade(*args, **kwargs):
        calls.append(1)
        if engine is not None and down_after:
            engine.up = False
        verdict = verdicts[min(len(calls), len(verdicts)) - 1]
        return Result(verdict=verdict, message="the Docker engine refused to create the sandbox"
                      if verdict == "infra_error" else "")

    monkeypatch.setattr("worker.jobs.tasks.grade", fake_grade)
    return calls


def run_task(app, submission_id: int):
    from worker.jobs.tasks import grade_submission

    with app.app_context():
        return grade_submission.run(submission_id)


def row(app, submission_id: int) -> Submission:
    with app.app_context():
        found = db.session.get(Submission, submission_id)
        db.session.expunge(found)
        return found


def test_while_the_engine_is_down_nothing_is_claimed(app, submission, engine, monkeypatch):
    calls = grades(monkeypatch, ["passed"])
    engine.watch.check()
    engine.up = False
    engine.watch.check()
    with pytest.raises(Retry):
        run_task(app, submission)
    assert calls == [] and row(app, submission).status == "queued"
    assert row(app, submission).attempts == 0
    engine.up = True
    engine.watch.check()
    assert run_task(app, submission) == "passed"


def test_an_engine_that_vanishes_mid_run_releases_the_claim(app, submission, engine, monkeypatch):
    grades(monkeypatch, ["infra_error"], engine, down_after=True)
    with pytest.raises(Retry):
        run_task(app, submission)
    found = row(app, submission)
    assert found.status == "queued" and found.verdict is None and found.attempts == 1
    # It keeps waiting, whatever the number of attempts, inside the window.
    with app.app_context():
        db.session.execute(db.update(Submission).values(attempts=7))
        db.session.commit()
    engine.up = True
    engine.watch.check()
    grades(monkeypatch, ["passed"])
    assert run_task(app, submission) == "passed"
    assert row(app, submission).verdict == "passed"


def test_past_the_window_it_is_stored_as_not_graded_and_regraded_later(app, submission, engine,
                                                                        monkeypatch):
    from worker.jobs.tasks import _regrade_infra_errors

    with app.app_context():
        db.session.execute(db.update(Submission).values(
            created_at=utcnow() - timedelta(seconds=app.config["LAB_SETTINGS"].engine_wait_seconds + 1)))
        db.session.commit()
    engine.up = False
    engine.watch.check()
    assert run_task(app, submission) == "infra_error"
    found = row(app, submission)
    assert found.status == "done" and found.verdict == "infra_error"
    assert "regraded automatically" in found.result["message"]
    requeued = []
    with app.app_context():
        assert _regrade_infra_errors(requeued.append) == 0  # not while the engine is down
    engine.up = True
    engine.watch.check()
    with app.app_context():
        assert _regrade_infra_errors(lambda sid: requeued.append(sid) or True) == 1
    assert requeued == [submission] and row(app, submission).status == "queued"
    grades(monkeypatch, ["passed"])
    assert run_task(app, submission) == "passed"


def test_a_failure_on_our_side_with_a_live_engine_is_retried_three_times(app, submission, engine,
                                                                        monkeypatch):
    calls = grades(monkeypatch, ["infra_error"])
    for _ in range(2):
        with pytest.raises(Retry):
            run_task(app, submission)
    assert run_task(app, submission) == "infra_error"
    assert len(calls) == 3 and row(app, submission).verdict == "infra_error"

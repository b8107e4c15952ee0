"""Entry point of a grading worker: `celery -A worker.jobs.celery_worker:celery worker`.

Needs only LAB_DATABASE_URL, LAB_REDIS_URL and a local Docker engine.
"""

from celery import signals
from celery.concurrency.prefork import TaskPool as Prefork

from lab.app import create_app
from lab.extensions import db
from worker.jobs.tasks import start_pool, start_sweeper, stop_pool  # also registers the tasks

app = create_app()
celery = app.extensions["celery"]


@signals.worker_process_init.connect
def _fresh_connections(**_kwargs) -> None:
    # Pool processes are forked: never share the parent's database connections.
    with app.app_context():
        db.engine.dispose()


@signals.worker_ready.connect
def _start_housekeeping(**_kwargs) -> None:
    start_sweeper(app)


# The warm sandbox pool lives where tasks run: in the worker process itself with
# `--pool threads` (what `lab up` starts) or solo, in every child with prefork (a pool
# started before a fork would lose its threads).
@signals.worker_ready.connect
def _pool_in_worker(sender=None, **_kwargs) -> None:
    if not isinstance(getattr(sender, "pool", None), Prefork):
        start_pool(app)


@signals.worker_process_init.connect
def _pool_in_child(**_kwargs) -> None:
    start_pool(app)


@signals.worker_shutdown.connect
@signals.worker_process_shutdown.connect
def _stop_pool(**_kwargs) -> None:
    stop_pool()

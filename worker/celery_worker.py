"""Entry point of a grading worker: `celery -A worker.celery_worker:celery worker`.

Needs only LAB_DATABASE_URL, LAB_REDIS_URL and a local Docker engine.
"""

from celery.signals import worker_process_init, worker_ready

from lab.app import create_app
from lab.extensions import db

app = create_app()
celery = app.extensions["celery"]

import worker.tasks  # noqa: E402,F401  (registers the task)


@worker_process_init.connect
def _fresh_connections(**_kwargs) -> None:
    # Pool processes are forked: never share the parent's database connections.
    with app.app_context():
        db.engine.dispose()


@worker_ready.connect
def _start_housekeeping(**_kwargs) -> None:
    from worker.tasks import start_sweeper

    start_sweeper(app)

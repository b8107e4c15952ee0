"""The web's side of the job queue: the Celery app (the Flask docs' pattern: every task
runs in an app context) and sending jobs by name, so the web never imports the worker's
task module (worker/jobs/tasks.py registers them under the same names).

Delivery guarantees: acks_late + reject_on_worker_lost + prefetch 1, so a worker that
dies mid-run has its submission redelivered; the task itself is idempotent (a claim
in the database decides who may store a result).  Time limits nest:
container wall clock < soft limit < hard limit < stuck-after < visibility timeout.
"""

from __future__ import annotations

from celery import Celery, Task
from flask import Flask, current_app

from worker.core.config import ConfigError, Settings, instance_redis_url
from worker.core.queues import SUBMIT


def kombu_url(redis_url: str) -> str:
    if redis_url.startswith("unix://"):
        return "redis+socket://" + redis_url[len("unix://"):]
    return redis_url


def time_limits(settings: Settings) -> tuple[float, float]:
    """(soft, hard) task limits: above the longest sandbox run any challenge may ask for."""
    soft = settings.ceiling.wall_seconds + settings.grace_seconds + 5
    return soft, soft + 10


def check_timing(settings: Settings) -> None:
    _, hard = time_limits(settings)
    if not hard < settings.stuck_after_seconds < settings.visibility_timeout:
        raise ConfigError(
            f"LAB_STUCK_AFTER_SECONDS ({settings.stuck_after_seconds:g}) must lie between the task "
            f"hard time limit ({hard:g} s, from LAB_MAX_WALL_SECONDS + LAB_GRACE_SECONDS + 15) and "
            f"LAB_VISIBILITY_TIMEOUT ({settings.visibility_timeout})")


def celery_init_app(app: Flask) -> Celery:
    settings = app.config["LAB_SETTINGS"]
    check_timing(settings)

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    soft, hard = time_limits(settings)
    celery = Celery(app.name, task_cls=FlaskTask)
    celery.conf.update(
        broker_url=kombu_url(instance_redis_url(settings)),
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": settings.visibility_timeout},
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_soft_time_limit=soft,
        task_time_limit=hard,
        task_default_queue=SUBMIT,
        worker_hijack_root_logger=False,
    )
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


def send_job(task_name: str, args: list, queue: str) -> None:
    """Send one job by its registered name; raises on broker trouble (no retries: the
    callers keep the row and the sweeper sends it again)."""
    current_app.extensions["celery"].send_task(task_name, args=args, queue=queue, retry=False)

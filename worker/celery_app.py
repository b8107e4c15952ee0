"""Celery wiring: the Flask docs' pattern (every task runs in an app context).

Delivery guarantees: acks_late + reject_on_worker_lost + prefetch 1, so a worker that
dies mid-run has its submission redelivered; the task itself is idempotent (a claim
in the database decides who may store a result).  Time limits nest:
container wall clock < soft limit < hard limit < stuck-after < visibility timeout.
"""

from __future__ import annotations

from celery import Celery, Task
from flask import Flask


def kombu_url(redis_url: str) -> str:
    if redis_url.startswith("unix://"):
        return "redis+socket://" + redis_url[len("unix://"):]
    return redis_url


def time_limits(settings) -> tuple[float, float]:
    soft = settings.ceiling.wall_seconds + settings.grace_seconds + 20
    return soft, soft + 15


def celery_init_app(app: Flask) -> Celery:
    from lab.config import instance_redis_url

    settings = app.config["LAB_SETTINGS"]

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
        task_default_queue="grading",
        worker_hijack_root_logger=False,
    )
    celery.set_default()
    app.extensions["celery"] = celery
    return celery

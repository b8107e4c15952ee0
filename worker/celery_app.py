"""Celery wiring: the Flask docs' pattern (every task runs in an app context).

Delivery guarantees: acks_late + reject_on_worker_lost + prefetch 1, so a worker that
dies mid-run has its submission redelivered; the task itself is idempotent (a claim
in the database decides who may store a result).  Time limits nest:
container wall clock < soft limit < hard limit < stuck-after < visibility timeout.
"""

from __future__ import annotations

from celery import Celery, Task
from flask import Flask

# Quick feedback never waits behind slow work: Run, Submit and Docker builds (and pack
# verification) have queues of their own, so workers can be given some or all of them.
QUEUES = ("run", "submit", "build")


def queue_for(mode: str, kind: str) -> str:
    if kind == "dockerfile":
        return "build"
    return "run" if mode == "run" else "submit"


def kombu_url(redis_url: str) -> str:
    if redis_url.startswith("unix://"):
        return "redis+socket://" + redis_url[len("unix://"):]
    return redis_url


def time_limits(settings) -> tuple[float, float]:
    """(soft, hard) task limits: above the longest sandbox run any challenge may ask for."""
    soft = settings.ceiling.wall_seconds + settings.grace_seconds + 5
    return soft, soft + 10


def check_timing(settings) -> None:
    from lab.config import ConfigError

    _, hard = time_limits(settings)
    if not hard < settings.stuck_after_seconds < settings.visibility_timeout:
        raise ConfigError(
            f"LAB_STUCK_AFTER_SECONDS ({settings.stuck_after_seconds:g}) must lie between the task "
            f"hard time limit ({hard:g} s, from LAB_MAX_WALL_SECONDS + LAB_GRACE_SECONDS + 15) and "
            f"LAB_VISIBILITY_TIMEOUT ({settings.visibility_timeout})")


def celery_init_app(app: Flask) -> Celery:
    from lab.config import instance_redis_url

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
        task_default_queue="submit",
        worker_hijack_root_logger=False,
    )
    celery.set_default()
    app.extensions["celery"] = celery
    _connect_pool_hooks(app)
    return celery


def _connect_pool_hooks(app: Flask) -> None:
    """The warm sandbox pool lives where tasks run: in the worker process itself with
    `--pool threads` (what `lab up` starts) or solo, in every child with prefork (a pool
    started before a fork would lose its threads).  Fire only in workers."""
    from celery import signals

    def in_worker(sender=None, **_kwargs) -> None:
        from celery.concurrency.prefork import TaskPool as Prefork

        if not isinstance(getattr(sender, "pool", None), Prefork):
            from worker.tasks import start_pool

            start_pool(app)

    def in_child(**_kwargs) -> None:
        from worker.tasks import start_pool

        start_pool(app)

    def stop(**_kwargs) -> None:
        from worker.tasks import stop_pool

        stop_pool()

    # dispatch_uid: every create_app() gets here; one set of hooks per process is enough.
    signals.worker_ready.connect(in_worker, weak=False, dispatch_uid="lab-pool-ready")
    signals.worker_process_init.connect(in_child, weak=False, dispatch_uid="lab-pool-init")
    signals.worker_shutdown.connect(stop, weak=False, dispatch_uid="lab-pool-shutdown")
    signals.worker_process_shutdown.connect(stop, weak=False, dispatch_uid="lab-pool-exit")

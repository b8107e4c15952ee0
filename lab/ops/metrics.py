"""Prometheus metrics at /metrics.

Workers run in other processes (or machines), so they record into Redis and the web
process turns the counters into metrics at scrape time: queue depth per queue,
submissions by status, a grading latency histogram by kind and verdict, infra failures,
and the warm sandbox pools: idle containers, container starts, hits, misses, failures.

Only operators read them (lab.accounts.access.is_operator): a scraper sends LAB_METRICS_TOKEN as
`Authorization: Bearer`, or a signed-in admin looks.  There is no exception for loopback:
behind a reverse proxy on the same host every request comes from loopback.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app
from flask_login import current_user
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from sqlalchemy import func, select
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Forbidden, Unauthorized

from lab.accounts.access import is_operator
from lab.extensions import db
from lab.models import Submission
from worker.core.lab_redis import redis_client
from worker.core.queues import QUEUES
from worker.core.sandbox import owner_id

metrics = Blueprint("metrics", __name__)
BUCKETS = (0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0, 60.0)
KEY = "lab:metrics:grading"
POOL_KEY = "lab:metrics:pool"  # counters summed over every worker process
POOL_IDLE_PREFIX = "lab:metrics:pool-idle:"  # one gauge per worker process, expiring
log = logging.getLogger(__name__)


def record_grading(settings, kind: str, verdict: str, seconds: float) -> None:
    """Called by the worker once per stored result."""
    try:
        pipe = redis_client(settings).pipeline()
        for bound in BUCKETS:
            if seconds <= bound:
                pipe.hincrby(KEY, f"{kind}|{verdict}|{bound}", 1)
        pipe.hincrby(KEY, f"{kind}|{verdict}|+Inf", 1)
        pipe.hincrbyfloat(KEY, f"{kind}|{verdict}|sum", seconds)
        pipe.execute()
    except Exception as exc:  # noqa: BLE001 - metrics never fail a grading
        log.warning("metrics: %s", exc)


def record_pool(settings, counts: dict[str, int], idle: int) -> None:
    """Called every few seconds by a worker's pool thread: counter increments since the
    last call, and how many armed containers wait right now."""

    try:
        pipe = redis_client(settings).pipeline()
        for name, amount in counts.items():
            if amount:
                pipe.hincrby(POOL_KEY, name, amount)
        # Expires, so a worker that died without a word stops counting.
        pipe.set(POOL_IDLE_PREFIX + owner_id(), idle, ex=30)
        pipe.execute()
    except Exception as exc:  # noqa: BLE001 - metrics never fail a grading
        log.warning("metrics: %s", exc)


def _pool_metrics(client):
    counters = {k.decode(): float(v) for k, v in client.hgetall(POOL_KEY).items()}
    idle = sum(float(client.get(k) or 0) for k in client.scan_iter(POOL_IDLE_PREFIX + "*"))
    starts = CounterMetricFamily("lab_sandbox_container_starts", "Sandbox containers started",
                                 labels=["path"])
    starts.add_metric(["cold"], counters.get("starts_cold", 0.0))
    starts.add_metric(["pool"], counters.get("starts_pool", 0.0))
    pool = [GaugeMetricFamily("lab_pool_idle", "Armed pool containers waiting for a run",
                              value=idle), starts]
    for name, text in (("hits", "Runs that got an armed pool container"),
                       ("misses", "Runs that found no armed container and started cold"),
                       ("failures", "Pool containers that failed to arm or to run"),
                       ("recycled", "Idle pool containers replaced before the reaper's age"),
                       ("lost", "Idle pool containers found dead (an engine restart) and replaced")):
        pool.append(CounterMetricFamily(f"lab_pool_{name}", text,
                                        value=counters.get(f"pool_{name}", 0.0)))
    return pool


class LabCollector:
    def __init__(self, settings) -> None:
        self.settings = settings

    def collect(self):
        client = redis_client(self.settings)
        depth = GaugeMetricFamily("lab_queue_depth", "Tasks waiting per queue", labels=["queue"])
        raw: dict = {}
        pool: list = []
        try:
            for queue in QUEUES:
                # kombu keeps one list per priority step: count them all.
                total = sum(client.llen(k) for k in client.scan_iter(f"{queue}*")
                            if client.type(k) == b"list")
                depth.add_metric([queue], total)
            raw = {k.decode(): float(v) for k, v in client.hgetall(KEY).items()}
            pool = _pool_metrics(client)
        except Exception as exc:  # noqa: BLE001 - report what we can
            log.warning("metrics: redis: %s", exc)
        yield depth
        status = GaugeMetricFamily("lab_submissions", "Submissions by status", labels=["status"])
        for name, count in db.session.execute(
                select(Submission.status, func.count()).group_by(Submission.status)):
            status.add_metric([name], count)
        yield status
        histogram = HistogramMetricFamily(
            "lab_grading_seconds", "Submit to verdict, by kind and verdict",
            labels=["kind", "verdict"])
        failures = CounterMetricFamily("lab_grading_infra_failures", "Results that were infra_error")
        series = {tuple(k.split("|")[:2]) for k in raw}
        infra = 0.0
        for kind, verdict in sorted(series):
            buckets = [(str(b), raw.get(f"{kind}|{verdict}|{b}", 0.0)) for b in BUCKETS]
            buckets.append(("+Inf", raw.get(f"{kind}|{verdict}|+Inf", 0.0)))
            histogram.add_metric([kind, verdict], buckets, raw.get(f"{kind}|{verdict}|sum", 0.0))
            if verdict == "infra_error":
                infra += raw.get(f"{kind}|{verdict}|+Inf", 0.0)
        failures.add_metric([], infra)
        yield histogram
        yield failures
        yield from pool


@metrics.route("/metrics")
def prometheus():
    if not is_operator():
        if current_user.is_authenticated:
            raise Forbidden("Metrics are for admins (and for the LAB_METRICS_TOKEN bearer).")
        raise Unauthorized("Send 'Authorization: Bearer <LAB_METRICS_TOKEN>' (or an admin's "
                           "API token), or sign in as an admin.",
                           www_authenticate=WWWAuthenticate("bearer", {"realm": "metrics"}))
    registry = CollectorRegistry()
    registry.register(LabCollector(current_app.config["LAB_SETTINGS"]))
    return Response(generate_latest(registry), mimetype="text/plain; version=0.0.4")

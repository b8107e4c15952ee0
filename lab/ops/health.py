"""GET /healthz: database, broker, workers, Docker engine and the sandbox runtime the
workers use; 200 only when all are up.

Anyone sees the verdict ({"status": "ok"} or "degraded", and the HTTP code); the checks
behind it (worker names, engine errors) only an operator does: a signed-in admin, an
admin's API token, or LAB_METRICS_TOKEN (lab.accounts.access.is_operator)."""

from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from lab.accounts.access import is_operator
from lab.extensions import db
from worker.core.lab_redis import HEARTBEAT_KEY_PREFIX, redis_client, worker_of

health = Blueprint("health", __name__)


def _check(fn) -> dict:
    try:
        detail = fn()
        return {"ok": True, **({"detail": detail} if detail else {})}
    except Exception as exc:  # noqa: BLE001 - health reports whatever went wrong
        return {"ok": False, "error": str(exc)[:300]}


def _database():
    db.session.execute(text("SELECT 1"))


def _heartbeats(client) -> dict[str, dict]:
    """Worker name -> its last heartbeat (workers write them every sweep, with a TTL)."""
    keys = list(client.scan_iter(f"{HEARTBEAT_KEY_PREFIX}*"))
    beats = {}
    for key, raw in zip(keys, client.mget(keys) if keys else [], strict=True):
        try:
            beats[worker_of(key)] = json.loads(raw)
        except (TypeError, ValueError):
            continue
    return beats


def _workers(beats: dict) -> list[str]:
    if not beats:
        raise RuntimeError("no grading worker has reported in the last minute")
    return sorted(beats)


def _docker(beats: dict) -> str:
    """Asked of the workers: they run the sandboxes, the web needs no engine."""
    if not beats:
        raise RuntimeError("no worker to ask")
    broken = {name: b.get("docker") for name, b in beats.items() if b.get("docker") != "ok"}
    if len(broken) == len(beats):
        raise RuntimeError("; ".join(f"{n}: {e}" for n, e in broken.items()))
    return f"{len(beats) - len(broken)} of {len(beats)} workers reach their engine"


def _runtime(beats: dict) -> str:
    """The sandbox runtime each worker grades under (LAB_RUNTIME; "default" is the
    engine's own, runc), so an operator sees whether hardened mode is on."""
    if not beats:
        raise RuntimeError("no worker to ask")
    runtimes = sorted({str(b.get("runtime", "unknown")) for b in beats.values()})
    return ", ".join(runtimes)


@health.route("/livez")
def livez():
    """The web process answers and reaches its database (container health checks)."""
    _database()
    return jsonify(status="ok")


@health.route("/healthz")
def healthz():
    client = redis_client(current_app.config["LAB_SETTINGS"])
    beats: dict[str, dict] = {}

    def broker() -> None:
        client.ping()
        beats.update(_heartbeats(client))  # read once, judged twice below

    checks = {"database": _check(_database), "broker": _check(broker)}
    checks["workers"] = _check(lambda: _workers(beats))
    checks["docker"] = _check(lambda: _docker(beats))
    checks["runtime"] = _check(lambda: _runtime(beats))
    ok = all(c["ok"] for c in checks.values())
    details = {"checks": checks} if is_operator() else {}
    return jsonify(status="ok" if ok else "degraded", **details), 200 if ok else 503

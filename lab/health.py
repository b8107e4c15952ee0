"""GET /healthz: database, broker, workers and Docker engine; 200 only when all are up."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from lab.extensions import db

health = Blueprint("health", __name__)


def _check(fn) -> dict:
    try:
        detail = fn()
        return {"ok": True, **({"detail": detail} if detail else {})}
    except Exception as exc:  # noqa: BLE001 - health reports whatever went wrong
        return {"ok": False, "error": str(exc)[:300]}


def _database():
    db.session.execute(text("SELECT 1"))


def _redis():
    import redis

    from lab.config import instance_redis_url

    return redis.Redis.from_url(instance_redis_url(current_app.config["LAB_SETTINGS"]),
                                socket_timeout=1, socket_connect_timeout=1)


def _broker():
    _redis().ping()


def _workers():
    names = [k.decode().split(":", 2)[2] for k in _redis().scan_iter("lab:worker:*")]
    if not names:
        raise RuntimeError("no grading worker has reported in the last minute")
    return sorted(names)


def _docker():
    from worker.sandbox import connect

    connect().close()


@health.route("/healthz")
def healthz():
    checks = {"database": _check(_database), "broker": _check(_broker),
              "workers": _check(_workers), "docker": _check(_docker)}
    ok = all(c["ok"] for c in checks.values())
    return jsonify(status="ok" if ok else "degraded", checks=checks), 200 if ok else 503

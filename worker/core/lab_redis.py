"""The lab's Redis: how a process gets a client, and the keys that the web and the
worker both name.

Redis carries the Celery broker, the grading metrics, the result push and the worker
heartbeats.  The web reads what the worker writes, so a key's spelling lives here once.
"""

from __future__ import annotations

import threading

import redis

from worker.core.config import Settings, instance_redis_url

# `lab:worker:<host>:<pid>`: one per live worker process, written with a TTL
# (worker/jobs/liveness.py) and scanned by /healthz (lab/ops/health.py).
HEARTBEAT_KEY_PREFIX = "lab:worker:"
# `lab:sandbox:versions:<runner image tag>`: JSON {"Python": ..., "pytest": ..., "Flask": ...}
# read from that image by a worker at start (worker/jobs/tasks.py) and shown by the
# editor (lab/practice/sandbox_versions.py); a new image gets a new key.
SANDBOX_VERSIONS_KEY_PREFIX = "lab:sandbox:versions:"

_clients: dict[tuple[str, float, float], redis.Redis] = {}
_clients_lock = threading.Lock()


def redis_client(settings: Settings, timeout: float = 1.0,
                 connect_timeout: float | None = None) -> redis.Redis:
    """A client for the lab's Redis (LAB_REDIS_URL or the private socket), shared per
    process by every caller asking for the same timeouts, so each keeps one connection
    pool rather than one per call.  `timeout` bounds each reply; `connect_timeout`
    (default: `timeout`) bounds opening a connection.  redis-py's pool notices a fork
    and opens new connections in the child."""
    key = (instance_redis_url(settings), timeout,
           timeout if connect_timeout is None else connect_timeout)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = redis.Redis.from_url(key[0], socket_timeout=key[1],
                                          socket_connect_timeout=key[2])
            _clients[key] = client
        return client


def heartbeat_key(worker: str) -> str:
    """The heartbeat key of a worker process named `host:pid`."""
    return f"{HEARTBEAT_KEY_PREFIX}{worker}"


def worker_of(key: bytes | str) -> str:
    """The worker name (`host:pid`) a heartbeat key belongs to."""
    text = key.decode() if isinstance(key, bytes) else key
    return text[len(HEARTBEAT_KEY_PREFIX):]


def sandbox_versions_key(image: str) -> str:
    return f"{SANDBOX_VERSIONS_KEY_PREFIX}{image}"

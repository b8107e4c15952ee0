"""The sandbox's versions as the editor shows them ("Python 3.11.2 · pytest 8.3.4 ·
Flask 3.1.0"): read from Redis, where a worker left what it found inside the runner image
(worker/jobs/sandbox_info.py).  Kept for a minute per process; unknown (no worker has
started yet, Redis is away) means the line is simply not shown."""

from __future__ import annotations

import json
import time

from flask import current_app

from worker.core.images import runner_image
from worker.core.lab_redis import redis_client, sandbox_versions_key

KEEP_SECONDS = 60.0
UNKNOWN_SECONDS = 5.0  # nothing known (no worker yet, Redis away): asked again soon, not per page
SHOWN_FOR = {"python", "flask"}  # a Dockerfile task builds its own base; the quiz runs nothing
_cache: dict[str, tuple[float, dict[str, str]]] = {}


def _read(image: str) -> dict[str, str]:
    settings = current_app.config["LAB_SETTINGS"]
    try:
        raw = redis_client(settings, timeout=0.3).get(sandbox_versions_key(image))
        found = json.loads(raw) if raw else {}
    except Exception:  # noqa: BLE001 - a courtesy line never breaks the page
        return {}
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def sandbox_versions_line(kind: str) -> str:
    """"Python 3.11.2 · pytest 8.3.4 · Flask 3.1.0" for a kind graded by the Python runner,
    or "" (another kind, or nothing known yet)."""
    if kind not in SHOWN_FOR:
        return ""
    image = runner_image(current_app.config["LAB_SETTINGS"])
    now = time.monotonic()
    kept = _cache.get(image)
    if kept is None or now - kept[0] > (KEEP_SECONDS if kept[1] else UNKNOWN_SECONDS):
        kept = _cache[image] = (now, _read(image))
    versions = kept[1]
    return " · ".join(f"{name} {versions[name]}" for name in ("Python", "pytest", "Flask")
                      if name in versions)

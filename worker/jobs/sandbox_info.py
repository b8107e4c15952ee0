"""What the worker tells the web about its sandbox besides liveness: the runner image's
Python, pytest and Flask versions, which the editor shows beside Run and Submit."""

from __future__ import annotations

import json
import logging

from worker.core.config import Settings
from worker.core.images import runner_image, sandbox_versions
from worker.core.lab_redis import redis_client, sandbox_versions_key
from worker.core.sandbox import connect

log = logging.getLogger(__name__)
KEEP_SECONDS = 7 * 24 * 3600  # rewritten by every worker start; an unused image's key expires


def publish_sandbox_versions(settings: Settings) -> bool:
    """Read the runner image's Python, pytest and Flask versions once and leave them in
    Redis for the editor to show (the web has no engine to ask).  False: try again at
    the next sweep (the engine or Redis did not answer)."""
    image = runner_image(settings)
    try:
        client = connect()
        try:
            versions = sandbox_versions(client, image, settings.runtime)
        finally:
            client.close()
        redis_client(settings, timeout=2).set(sandbox_versions_key(image), json.dumps(versions),
                                              ex=KEEP_SECONDS)
    except Exception as exc:  # noqa: BLE001 - the versions are a courtesy, never a failure
        log.warning("sandbox versions: %s", exc)
        return False
    return True

"""Facts written once: each test pins a shared constant or helper to what reads it."""

from __future__ import annotations

from dataclasses import replace

from worker.core.config import load_settings
from worker.core.images import runner_image, runner_image_tag
from worker.core.lab_redis import HEARTBEAT_KEY_PREFIX, heartbeat_key, redis_client, worker_of


def test_runner_image_falls_back_to_the_built_tag() -> None:
    settings = replace(load_settings({}), runner_image="")
    assert runner_image(settings) == runner_image_tag("python")
    assert runner_image(replace(settings, runner_image="mine:1")) == "mine:1"


def test_a_heartbeat_key_names_its_worker() -> None:
    key = heartbeat_key("host-a:123")
    assert key.startswith(HEARTBEAT_KEY_PREFIX)
    assert worker_of(key.encode()) == "host-a:123"


def test_callers_asking_alike_share_one_redis_client() -> None:
    settings = replace(load_settings({}), redis_url="redis://127.0.0.1:1/0")
    assert redis_client(settings) is redis_client(settings)
    assert redis_client(settings, timeout=5) is not redis_client(settings)

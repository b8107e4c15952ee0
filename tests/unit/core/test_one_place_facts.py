"""Facts written once: each test pins a shared constant or helper to what reads it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import yaml

from lab.packs.problems import SCHEMA_DIR
from worker.core.config import load_settings
from worker.core.images import runner_image, runner_image_tag
from worker.core.lab_redis import HEARTBEAT_KEY_PREFIX, heartbeat_key, redis_client, worker_of
from worker.core.queues import QUEUES
from worker.core.vocabulary import DIFFICULTIES

ROOT = Path(__file__).resolve().parents[3]


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


def test_the_schemas_list_the_core_difficulties() -> None:
    challenge = json.loads((SCHEMA_DIR / "challenge.schema.json").read_text())
    assert tuple(challenge["properties"]["difficulty"]["enum"]) == DIFFICULTIES
    interview = json.loads((SCHEMA_DIR / "interview.schema.json").read_text())
    ranges = [node["difficulty"]["properties"] for node in _walk(interview)
              if isinstance(node.get("difficulty"), dict) and "properties" in node["difficulty"]]
    assert ranges, "interview.schema.json has no difficulty range any more"
    for bounds in ranges:
        assert tuple(bounds["min"]["enum"]) == tuple(bounds["max"]["enum"]) == DIFFICULTIES


def _walk(node: object) -> list[dict]:
    """Every mapping in a JSON document."""
    if isinstance(node, dict):
        return [node, *(m for value in node.values() for m in _walk(value))]
    if isinstance(node, list):
        return [m for value in node for m in _walk(value)]
    return []


def test_the_compose_worker_serves_every_queue() -> None:
    # YAML cannot import worker/core/queues.py, so the compose file spells the names again.
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    command = compose["services"]["worker"]["command"]
    assert command[command.index("-Q") + 1] == ",".join(QUEUES)

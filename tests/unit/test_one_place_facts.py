"""Facts written once: each test pins a shared constant or helper to what reads it."""

from __future__ import annotations

from dataclasses import replace

from worker.core.config import load_settings
from worker.core.images import runner_image, runner_image_tag


def test_runner_image_falls_back_to_the_built_tag() -> None:
    settings = replace(load_settings({}), runner_image="")
    assert runner_image(settings) == runner_image_tag("python")
    assert runner_image(replace(settings, runner_image="mine:1")) == "mine:1"

"""The interface every challenge kind implements (worker/core/kinds/__init__.py holds
the registry of them; docs/authoring.md says how to add one)."""

from __future__ import annotations

from typing import Protocol

import docker

from worker.core.challenge import Challenge
from worker.core.config import Limits, Settings
from worker.core.result import Result


class Kind(Protocol):
    name: str
    needs_sandbox: bool  # False: grade() gets client=None and must not touch Docker
    builds_images: bool  # True: its gradings have the build queue to themselves
    hands_on: bool  # files to write (interviews draw them as tasks), else questions
    pooled: bool  # True: grade() takes a warm pool (worker/core/pool.py)

    def grade(self, challenge: Challenge, files: dict[str, bytes], mode: str, limits: Limits,
              settings: Settings, client: docker.DockerClient | None, image: str) -> Result: ...

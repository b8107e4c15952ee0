"""The interface every challenge kind implements (worker/core/kinds/__init__.py holds
the registry of them; docs/authoring.md says how to add one)."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import docker

from worker.core.challenge import Challenge
from worker.core.config import Limits, Settings
from worker.core.result import Result

# One small, working example challenge per kind, as files: scaffolds/<kind>/<slug>/.
SCAFFOLDS = Path(__file__).resolve().parent / "scaffolds"


class Kind(Protocol):
    name: str
    needs_sandbox: bool  # False: grade() gets client=None and must not touch Docker
    builds_images: bool  # True: its gradings have the build queue to themselves
    hands_on: bool  # files to write (interviews draw them as tasks), else questions
    pooled: bool  # True: grade() takes a warm pool (worker/core/pool.py)
    # What pack checks and verification ask of a kind (lab/packs/validate.py, runs.py):
    python_modules: bool  # editable files are Python modules the pytest judge imports
    prompt_file: bool  # prompt.md holds the task (a quiz's questions carry their own)
    required_files: tuple[str, ...]  # editable files every challenge of the kind has
    probes: bool  # challenge.yaml's `probes:` take part in grading (read at grading time)
    scaffold: Path  # a folder holding one example challenge folder (`lab pack new` copies it)

    def load(self, path: Path, data: dict) -> Challenge:
        """The challenge in folder `path`, whose challenge.yaml holds `data`."""
        ...

    def grade(self, challenge: Challenge, files: dict[str, bytes], mode: str, limits: Limits,
              settings: Settings, client: docker.DockerClient | None, image: str) -> Result: ...

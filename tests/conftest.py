"""Shared fixtures: a small challenge factory and a real Docker client."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import ROOT, sandbox_settings, write_challenge
from worker.core.config import Limits, Settings


@pytest.fixture
def make_challenge(tmp_path):
    counter = iter(range(1000))

    def factory(**kwargs) -> Path:
        return write_challenge(tmp_path / f"challenge{next(counter)}", **kwargs)

    return factory


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Playwright drives Debian's Chromium (no browser download), wherever a test uses it."""
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium",
            "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run"]}


@pytest.fixture(scope="session")
def docker_client():
    """The real engine.  Missing engine or image is a failure, not a skip: the
    integration tests are the proof that grading works."""
    from worker.core.images import image_exists, runner_image_tag
    from worker.core.sandbox import connect

    client = connect()
    tag = runner_image_tag("python")
    assert image_exists(client, tag), f"{tag} missing: run `lab images build` (make test does)"
    return client


@pytest.fixture
def settings() -> Settings:
    """Defaults, with short clocks so limit tests stay quick."""
    return sandbox_settings(limits=Limits(wall_seconds=5, cpu_seconds=3), grace_seconds=10)


@pytest.fixture
def grade_text(docker_client, settings):
    """grade_text(challenge_dir, source, mode) -> Result, for solution.py only."""
    from worker.core.grading import grade

    def run(challenge: Path, source: str, mode: str = "submit", **kw):
        return grade(challenge, {"solution.py": source.encode()}, mode,
                     settings=kw.pop("settings", settings), client=docker_client, **kw)

    return run


def pytest_configure(config):
    os.environ.setdefault("LAB_INSTANCE_PATH", str(ROOT / "instance"))
    # Every lab the tests start shares one cache of predict-the-output keys.
    os.environ.setdefault("LAB_CACHE_PATH", str(ROOT / "instance" / "cache"))

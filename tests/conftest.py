"""Shared fixtures: a small challenge factory and a real Docker client."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from worker.core.config import Limits, Settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "challenges" / "examples"

ADD_HIDDEN = '''
from solution import add


def test_small():
    """Adds two small numbers"""
    assert add(2, 3) == 5


def test_negative():
    """Handles negative numbers"""
    assert add(-4, 1) == -3
'''
ADD_PUBLIC = '''
from solution import add


def test_public_small():
    assert add(1, 1) == 2
'''
GOOD_ADD = "def add(a, b):\n    return a + b\n"
WRONG_ADD = "def add(a, b):\n    return 0\n"


def write_challenge(root: Path, hidden: str = ADD_HIDDEN, public: str = ADD_PUBLIC,
                    limits: dict | None = None, extra_yaml: str = "",
                    starter: str = WRONG_ADD, solution: str = GOOD_ADD) -> Path:
    """A minimal challenge folder with one editable file, solution.py."""
    root.mkdir(parents=True, exist_ok=True)
    lines = ["title: Add two numbers", "kind: python", "editable: [solution.py]"]
    if limits:
        lines.append("limits:")
        lines += [f"  {k}: {v}" for k, v in limits.items()]
    (root / "challenge.yaml").write_text("\n".join(lines) + "\n" + extra_yaml)
    (root / "prompt.md").write_text("Write add(a, b).\n")
    for folder, text in (("starter", starter), ("solution", solution)):
        (root / folder).mkdir(exist_ok=True)
        (root / folder / "solution.py").write_text(text)
    for visibility, text in (("public", public), ("hidden", hidden)):
        (root / "tests" / visibility).mkdir(parents=True, exist_ok=True)
        (root / "tests" / visibility / f"test_{visibility}.py").write_text(
            textwrap.dedent(text))
    return root


@pytest.fixture
def make_challenge(tmp_path):
    counter = iter(range(1000))

    def factory(**kwargs) -> Path:
        return write_challenge(tmp_path / f"challenge{next(counter)}", **kwargs)

    return factory


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
    return Settings(limits=Limits(wall_seconds=5, cpu_seconds=3), grace_seconds=10)


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

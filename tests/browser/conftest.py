"""A live lab (gunicorn, Celery worker, private Redis, Docker) for the browser tests.
Playwright is pointed at Debian's Chromium in tests/conftest.py (the stack tests drive it
too)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.helpers import LIVE, ROOT

ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def live_lab(tmp_path_factory):
    from lab.ops.launcher import start_stack, stop_stack
    from worker.core.config import load_settings

    instance = tmp_path_factory.mktemp("live") / "instance"
    env = {**os.environ, "LAB_INSTANCE_PATH": str(instance), "LAB_SWEEP_EVERY_SECONDS": "1"}
    subprocess.run([sys.executable, "-m", "lab.cli", "db", "seed"], env=env, check=True,
                   capture_output=True)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = load_settings(env)
    LIVE["env"] = env
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        children = start_stack(settings, "127.0.0.1", port)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{base}/healthz", timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.3)
    LIVE["children"] = children
    yield base
    if not LIVE.pop("stopped", False):
        stop_stack(children)


@pytest.fixture(scope="package", autouse=True)
def stop_live_lab_after_browser_tests():
    """Playwright wants `base_url` session-wide, but the lab (and its worker's sweeper,
    which reaps leftover containers) must not run beside the tests that come after."""
    yield
    if "children" in LIVE and not LIVE.get("stopped"):
        from lab.ops.launcher import stop_stack

        stop_stack(LIVE.pop("children"))
        LIVE["stopped"] = True


@pytest.fixture(scope="session")
def base_url(live_lab):
    return live_lab


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def screens(artifacts):
    """shoot(page, name): the page as it is now, saved three ways in test-artifacts/:
    light and dark at the current size, and light on a 390 px phone."""

    def shoot(page, name: str) -> None:
        size = page.viewport_size
        try:
            for scheme in ("light", "dark"):
                page.emulate_media(color_scheme=scheme)
                page.screenshot(path=str(artifacts / f"{name}-{scheme}.png"), full_page=True)
            page.emulate_media(color_scheme="light")
            page.set_viewport_size({"width": 390, "height": 844})
            page.screenshot(path=str(artifacts / f"{name}-phone.png"), full_page=True)
        finally:
            page.emulate_media(color_scheme="light")
            page.set_viewport_size(size)

    return shoot

"""Shared fixtures of the stack tests (a private `lab up` on a scratch instance)."""

from __future__ import annotations

import pytest

from bench.privatelab import PrivateLab


@pytest.fixture
def quick_sweep_lab(tmp_path, docker_client):
    """A private `lab up` whose worker sweeps every second: a submission whose message
    the broker refused while a part was down is sent again at the next sweep."""
    private = PrivateLab(tmp_path / "lab", keep=False)
    private.env["LAB_SWEEP_EVERY_SECONDS"] = "1"
    try:
        private.start()
        yield private
    finally:
        private.stop()

"""What tests share besides fixtures: paths, small challenge factories, the web tests'
accounts and their sign-in.  Test modules import these from here, never from a conftest
(conftest files hold fixtures and import from here too)."""

from __future__ import annotations

import os
import re
import textwrap
from pathlib import Path

from worker.core.config import Settings
from worker.core.sandbox import GVISOR_CLOCK_STRETCH

ROOT = Path(__file__).resolve().parent.parent  # the repository
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

# The OCI runtime the sandbox tests run under: `make test` repeats them with
# LAB_RUNTIME=runsc, so every Settings and pool a sandbox test builds must carry it
# (a bare Settings() would silently use the engine's default, runc).
RUNTIME = os.environ.get("LAB_RUNTIME", "")


def clock(configured: float) -> float:
    """The clock a run gets for one configured as `configured` seconds, under the runtime
    being tested (gVisor runs get longer clocks: worker/core/sandbox.py clocks_for)."""
    return configured * (GVISOR_CLOCK_STRETCH if RUNTIME == "runsc" else 1)


def seconds(configured: float) -> str:
    """How a limit message states that clock."""
    return f"{clock(configured):g} s"


def sandbox_settings(**fields) -> Settings:
    """Settings for a sandbox test: the given fields, under the runtime being tested."""
    return Settings(runtime=RUNTIME, **fields)


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


# -- web tests: accounts and sign-in --

PASSWORD = "correct horse 1"
# LAB_TEST_DATABASE_URL runs the web tests against another database (PostgreSQL in
# `make test`); by default each test gets a fresh SQLite file.
EXTERNAL_DB = os.environ.get("LAB_TEST_DATABASE_URL", "")


def make_user(app, email: str, role: str = "candidate"):
    from lab.accounts.access import (
        create_user,  # late: integration tests import this module without the web app
    )

    with app.app_context():
        return create_user(email, PASSWORD, role).id


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(client, email: str) -> str:
    page = client.get("/login")
    response = client.post("/login", data={"email": email, "password": PASSWORD,
                                           "csrf_token": csrf_of(page.text)})
    assert response.status_code == 302, response.text
    return csrf_of(client.get("/challenges/examples/retry-decorator").text)


# -- browser tests: the live lab they share (tests/browser/conftest.py fills it) --

LIVE: dict = {}

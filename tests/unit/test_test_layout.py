"""Test modules share constants and factories through tests/helpers.py; a conftest file
holds fixtures only, and no module imports one (that made fixtures and plain imports
depend on each other's loading order)."""

from __future__ import annotations

import re

from tests.helpers import ROOT

IMPORTS_A_CONFTEST = re.compile(r"^\s*(from\s+\S*conftest\s+import|import\s+\S*conftest)", re.M)


def test_no_module_imports_a_conftest():
    offenders = [str(path.relative_to(ROOT)) for path in (ROOT / "tests").rglob("*.py")
                 if IMPORTS_A_CONFTEST.search(path.read_text(encoding="utf-8"))]
    assert offenders == []

"""Imports go at module top; one inside a function says why, on its line or in a comment
heading its block of imports (the rule of the layers, pyproject.toml [tool.importlinter])."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.helpers import ROOT

SKIP = ("migrations", "scaffolds")  # generated revisions; challenge content of the kinds


def _sources() -> list[Path]:
    return [p for top in ("lab", "worker") for p in sorted((ROOT / top).rglob("*.py"))
            if not any(part in SKIP for part in p.relative_to(ROOT).parts)]


def _has_reason(lines: list[str], lineno: int) -> bool:
    """A comment on the import's line, or above it within its block of imports."""
    index = lineno - 1
    while index >= 0:
        line = lines[index]
        if "#" in line:
            return True
        text = line.strip()
        continues = text.startswith(("from ", "import ")) or text.endswith((",", "(")) or text == ")"
        if index != lineno - 1 and not continues:
            return False
        index -= 1
    return False


def late_imports() -> tuple[int, list[str]]:
    """(how many imports sit inside functions, those without a reason)."""
    count, unexplained = 0, []
    for path in _sources():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        seen: set[int] = set()
        for function in ast.walk(ast.parse(source)):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(function):
                if isinstance(node, (ast.Import, ast.ImportFrom)) and node.lineno not in seen:
                    seen.add(node.lineno)
                    count += 1
                    if not _has_reason(lines, node.lineno):
                        unexplained.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return count, unexplained


def test_every_late_import_says_why():
    count, unexplained = late_imports()
    assert count > 0  # the walk found the CLI's deliberate ones
    assert unexplained == [], unexplained


def test_the_reason_check_tells_the_two_apart():
    lines = ["def f():", "    # late: a command loads only what it uses", "    from a import b",
             "    from c import (", "        d,", "    )", "    x = 1", "    import e",
             "    import g  # late: why"]
    assert _has_reason(lines, 3) and _has_reason(lines, 4)
    assert not _has_reason(lines, 8)
    assert _has_reason(lines, 9)

"""Which tests a test folder must produce, read from the source without running it.

The host parses the instructor's test files (never executes them) to learn the test
functions a run has to report, each with its docstring as the instructor's intent.
A run whose reported test ids do not cover exactly these is not trusted (fail closed).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass


@dataclass(frozen=True)
class ExpectedTest:
    base_id: str  # `tests/hidden/test_x.py::test_y` or `...::TestCls::test_y`
    intent: str  # first docstring line, shown instead of the failure text


def _is_test_module(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py"))


def _intent(node: ast.AST) -> str:
    doc = ast.get_docstring(node) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def expected_tests(files: dict[str, bytes]) -> dict[str, ExpectedTest]:
    """Map base test id to ExpectedTest for every test function in the test files.

    Raises SyntaxError (with filename and line) when a test file does not parse.
    """
    found: dict[str, ExpectedTest] = {}
    for path, source in sorted(files.items()):
        if not _is_test_module(path):
            continue
        tree = ast.parse(source, filename=path)
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith(
                "test"
            ):
                base = f"{path}::{node.name}"
                found[base] = ExpectedTest(base, _intent(node))
            elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
                for sub in node.body:
                    if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
                        sub.name.startswith("test")
                    ):
                        base = f"{path}::{node.name}::{sub.name}"
                        found[base] = ExpectedTest(base, _intent(sub))
    return found


def base_of(nodeid: str) -> str:
    """`a.py::test_x[3-4]` -> `a.py::test_x`."""
    return nodeid.split("[", 1)[0]

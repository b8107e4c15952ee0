"""Which tests a test folder must produce, read from the source without running it.

The host parses the instructor's test files (never executes them) to learn the test
functions a run has to report, each with its docstring as the instructor's intent.
A run whose reported test ids do not cover exactly these is not trusted (fail closed).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from worker.core.parsing import parse


@dataclass(frozen=True)
class ExpectedTest:
    base_id: str  # `tests/hidden/test_x.py::test_y` or `...::TestCls::test_y`
    intent: str  # first docstring line, shown instead of the failure text


def _is_test_module(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py"))


def _intent(node: ast.AST) -> str:
    """The docstring's first line, or the test's name in words."""
    doc = ast.get_docstring(node) or ""
    if doc.strip():
        return doc.strip().splitlines()[0]
    name = getattr(node, "name", "")
    return name.removeprefix("test_").removeprefix("test").replace("_", " ").strip()


def _is_unittest_case(node: ast.ClassDef) -> bool:
    """A class deriving from unittest's TestCase (pytest collects it whatever its name)."""
    for base in node.bases:
        name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
        if name.endswith("TestCase"):
            return True
    return False


def _collected_class(node: ast.ClassDef) -> bool:
    if _is_unittest_case(node):
        return True
    # pytest's default python_classes, and it skips a Test class with an __init__.
    return node.name.startswith("Test") and not any(
        isinstance(sub, ast.FunctionDef) and sub.name == "__init__" for sub in node.body)


def expected_tests(files: dict[str, bytes]) -> dict[str, ExpectedTest]:
    """Map base test id to ExpectedTest for every test function in the test files:
    module-level `test*` functions, `test*` methods of `Test*` classes and of
    unittest.TestCase classes.  The judge may collect more (inherited methods); these
    must be among what it collects.

    Raises SyntaxError (with filename and line) when a test file does not parse.
    """
    found: dict[str, ExpectedTest] = {}
    for path, source in sorted(files.items()):
        if not _is_test_module(path):
            continue
        tree = parse(source, filename=path)
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith(
                "test"
            ):
                base = f"{path}::{node.name}"
                found[base] = ExpectedTest(base, _intent(node))
            elif isinstance(node, ast.ClassDef) and _collected_class(node):
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

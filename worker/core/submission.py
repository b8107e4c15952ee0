"""Checks a candidate's files before anything runs; refusals become verdict `rejected`."""

from __future__ import annotations

import sys

# Files that change how Python or pytest start, or that pytest would pick up as
# configuration or plugins: a candidate could use them to run code before the tests.
FORBIDDEN_NAMES = {
    "conftest.py", "pytest.ini", "setup.cfg", "tox.ini", "pyproject.toml",
    "sitecustomize.py", "usercustomize.py", "setup.py", "__init__.py",
}
# Module names a candidate file must not shadow, beyond the standard library.
# (the runner's modules, worker/runner, are every lab_* name and judge and imagefacts).
RESERVED_MODULES = {"pytest", "_pytest", "pluggy", "py", "judge", "imagefacts", "flask", "werkzeug",
                    "jinja2", "iniconfig"}
RESERVED_PREFIX = "lab_"
MAX_NAME = 100


class Rejected(ValueError):
    """A submitted file is refused; the message names it and says why."""


def name_problem(name: str) -> str | None:
    """Why this file name can never be accepted, or None."""
    if not name or name in (".", ".."):
        return "an empty file name"
    if "/" in name or "\\" in name:
        return "file names may not contain a path separator"
    if ".." in name:
        return "file names may not contain '..'"
    if "\x00" in name or any(ord(c) < 32 for c in name):
        return "file names may not contain control characters"
    if len(name) > MAX_NAME:
        return f"file names are limited to {MAX_NAME} characters"
    if name.startswith("."):
        return "hidden files (starting with '.') are not accepted"
    if name in FORBIDDEN_NAMES:
        return "this file would configure Python or pytest, so it is never accepted"
    if name.endswith(".pth"):
        return ".pth files run code when Python starts, so they are never accepted"
    if name.endswith(".py"):
        stem = name[:-3]
        if (stem in sys.stdlib_module_names or stem in RESERVED_MODULES
                or stem.startswith(RESERVED_PREFIX)):
            return f"'{stem}' would shadow a module the tests rely on; rename it"
    return None


def check_submission(
    files: dict[str, bytes],
    editable: tuple[str, ...],
    starter: dict[str, bytes],
    max_file_kb: int,
    max_submission_kb: int,
) -> dict[str, bytes]:
    """Return the files to grade (missing editable files fall back to the starter).

    Raises Rejected naming the first offending file.
    """
    for name in files:
        problem = name_problem(name)
        if problem:
            raise Rejected(f"{name!r}: {problem}")
        if name not in editable:
            raise Rejected(
                f"{name!r}: not an editable file of this challenge (editable: {', '.join(editable)})"
            )
    total = 0
    for name, data in files.items():
        if not isinstance(data, (bytes, bytearray)):
            raise Rejected(f"{name!r}: file content must be bytes or text")
        if len(data) > max_file_kb * 1024:
            raise Rejected(f"{name!r}: {len(data)} bytes is over the {max_file_kb} KiB limit per file")
        try:
            bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise Rejected(f"{name!r}: not UTF-8 text (invalid byte at offset {exc.start})") from None
        if b"\x00" in data:
            raise Rejected(f"{name!r}: contains a NUL byte; only text files are accepted")
        total += len(data)
    if total > max_submission_kb * 1024:
        raise Rejected(f"the submission is {total} bytes, over the {max_submission_kb} KiB limit")
    merged = {name: starter[name] for name in editable if name in starter}
    merged.update({name: bytes(data) for name, data in files.items()})
    return merged

"""`lab pack new`: a new pack with one small, working example challenge of a kind."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

from worker.core.kinds import KINDS


class ScaffoldError(ValueError):
    pass


def _d(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


COMMON = _d("""
    difficulty: easy
    time_estimate_minutes: 10
    hints:
      - Read the prompt's examples first; the tests follow them.
      - Run the public tests early and often.
    explanation: >-
      Replace this with why the reference solution is right and what the hidden tests
      check beyond the public ones.
""")

def scaffold(name: str, kind: str, dest: Path) -> Path:
    """Pack `name` in `dest`: pack.yaml and the kind's example challenge (its files come
    from the kind, worker/core/kinds/scaffolds/; the authoring fields every challenge
    needs are added here, as placeholders to replace)."""
    if not re.match(r"^[a-z0-9][a-z0-9-]{1,50}$", name):
        raise ScaffoldError(f"{name!r}: pack names are lowercase letters, digits and '-'")
    if kind not in KINDS:
        raise ScaffoldError(f"unknown kind {kind!r}")
    folder = dest / name
    if folder.exists():
        raise ScaffoldError(f"{folder} exists already; nothing was written")
    shutil.copytree(KINDS[kind].scaffold, folder,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for meta in folder.glob("*/challenge.yaml"):
        meta.write_text(meta.read_text() + COMMON)
    (folder / "pack.yaml").write_text(_d(f"""
        name: {name}
        version: 1
        title: {name.replace('-', ' ').capitalize()} pack
        description: Describe the pack here.
        authors: [You]
        license: CC-BY-4.0
    """))
    return folder

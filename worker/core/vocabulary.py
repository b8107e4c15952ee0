"""The difficulties challenges are described with, written once (easiest first); the
JSON schemas' enums are tested against them (tests/unit/core/test_kinds_registry.py).
Kind names live in the kind registry (worker/core/kinds/__init__.py)."""

from __future__ import annotations

DIFFICULTIES = ("easy", "medium", "hard")  # in order: an interview draws between two


def difficulty_range(bounds: dict | None) -> tuple[str, str]:
    """(min, max) of an interview pool's `difficulty: {min, max}`; either may be left out
    and then means the easiest or the hardest."""
    bounds = bounds or {}
    return bounds.get("min", DIFFICULTIES[0]), bounds.get("max", DIFFICULTIES[-1])

"""The difficulties a challenge may have, easiest first.

challenge.schema.json and interview.schema.json list the same names; a unit test keeps
them equal (tests/unit/test_one_place_facts.py)."""

from __future__ import annotations

DIFFICULTIES = ("easy", "medium", "hard")


def difficulty_range(bounds: dict | None) -> tuple[str, str]:
    """(min, max) of an interview pool's `difficulty: {min, max}`; either may be left out
    and then means the easiest or the hardest."""
    bounds = bounds or {}
    return bounds.get("min", DIFFICULTIES[0]), bounds.get("max", DIFFICULTIES[-1])

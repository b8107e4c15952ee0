"""The words challenges are described with, written once: kind names and difficulties
(easiest first).

The kind registry (worker/core/kinds/__init__.py) serves exactly KIND_NAMES and checks so
when it is built; the JSON schemas' enums are tested against these
(tests/unit/core/test_kinds_registry.py).  This module imports nothing, so the CLI can offer
the kinds as choices without loading the grading core.
"""

from __future__ import annotations

HANDS_ON_KINDS = ("python", "flask", "dockerfile")  # the candidate writes files
CONCEPT_KINDS = ("quiz",)  # the candidate answers questions
KIND_NAMES = (*HANDS_ON_KINDS, *CONCEPT_KINDS)
DIFFICULTIES = ("easy", "medium", "hard")  # in order: an interview draws between two


def difficulty_range(bounds: dict | None) -> tuple[str, str]:
    """(min, max) of an interview pool's `difficulty: {min, max}`; either may be left out
    and then means the easiest or the hardest."""
    bounds = bounds or {}
    return bounds.get("min", DIFFICULTIES[0]), bounds.get("max", DIFFICULTIES[-1])

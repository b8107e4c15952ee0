"""The words challenges are described with, written once: kind names and difficulties.

The kind registry (worker/core/kinds/__init__.py) serves exactly KIND_NAMES and checks so
when it is built; the JSON schemas' enums are tested against these
(tests/unit/test_kinds_registry.py).  This module imports nothing, so the CLI can offer
the kinds as choices without loading the grading core.
"""

from __future__ import annotations

HANDS_ON_KINDS = ("python", "flask", "dockerfile")  # the candidate writes files
CONCEPT_KINDS = ("quiz",)  # the candidate answers questions
KIND_NAMES = (*HANDS_ON_KINDS, *CONCEPT_KINDS)
DIFFICULTIES = ("easy", "medium", "hard")  # in order: an interview draws between two

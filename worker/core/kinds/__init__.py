"""Challenge kinds: the registry of the plugins behind one interface.

A kind turns (challenge, files, mode) into a Result (worker/core/kinds/base.py).  The
pytest kind serves `python` and `flask` challenges (worker/core/kinds/python.py);
`dockerfile` builds and probes an image first (worker/core/kinds/dockerfile.py); `quiz`
needs no sandbox and scores `answers.json` on the spot (worker/core/kinds/quiz.py).

A kind is one module of this package that lists what it serves in `PROVIDES`; the
registry finds it there, so adding a kind touches that module (and the schemas' enums,
which a test compares with the registry).  Everything else asks the registry: queues,
interview pools, CLI choices, scaffolds, pack checks.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from worker.core import queues
from worker.core.challenge import Challenge, ChallengeError, load_challenge, read_meta
from worker.core.kinds.base import Kind
from worker.core.kinds.quiz import (
    ANSWERS_FILE,
    QuizChallenge,
    load_quiz_challenge,
    quiz_challenge,
)

__all__ = ["ANSWERS_FILE", "KINDS", "Kind", "QuizChallenge", "get_kind", "hands_on_kinds",
           "load_any_challenge", "load_quiz_challenge", "queue_for", "quiz_challenge", "register"]

# Hands-on kinds first, then in the order their modules list them; by module name, with
# python's own first: the order CLI choices and messages show.
_FIRST = ("python",)


def load_any_challenge(path: str | Path) -> Challenge:
    """The challenge in folder `path`, loaded as its `kind:` says (challenge.yaml read
    once, by worker/core/challenge.py read_meta)."""
    data = read_meta(path)
    name = data.get("kind")
    kind = KINDS.get(name) if isinstance(name, str) else None
    if kind is None:  # load_challenge says what is wrong with `kind:`, and where
        return load_challenge(path, data)
    return kind.load(Path(path), data)


def register(kinds: dict[str, Kind], kind: Kind) -> None:
    """Add `kind` to `kinds`, refusing a second kind of the same name."""
    if kind.name in kinds:
        raise RuntimeError(f"two kinds are named {kind.name!r}")
    kinds[kind.name] = kind


def _discover() -> dict[str, Kind]:
    names = sorted((m.name for m in pkgutil.iter_modules(__path__)),
                   key=lambda n: (n not in _FIRST, n))
    found: list[Kind] = []
    for name in names:
        module = importlib.import_module(f"{__name__}.{name}")
        found.extend(getattr(module, "PROVIDES", ()))
    kinds: dict[str, Kind] = {}
    for kind in sorted(found, key=lambda k: not k.hands_on):  # stable: module order kept
        register(kinds, kind)
    return kinds


KINDS: dict[str, Kind] = _discover()


def hands_on_kinds() -> tuple[str, ...]:
    """Names of the kinds where the candidate writes files (interviews draw them as tasks)."""
    return tuple(name for name, kind in KINDS.items() if kind.hands_on)


def get_kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise ChallengeError(
            f"kind '{name}' is not supported (known: {', '.join(sorted(KINDS))})") from None


def queue_for(mode: str, kind: str) -> str:
    """The job queue of one grading of a challenge of this kind (worker/core/queues.py)."""
    return queues.queue_for(mode, get_kind(kind).builds_images)

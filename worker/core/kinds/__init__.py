"""Challenge kinds: the registry of the plugins behind one interface.

A kind turns (challenge, files, mode) into a Result (worker/core/kinds/base.py).  The
pytest kind serves `python` and `flask` challenges (worker/core/kinds/python.py);
`dockerfile` builds and probes an image first (worker/core/kinds/dockerfile.py); `quiz`
needs no sandbox and scores `answers.json` on the spot (worker/core/kinds/quiz.py).
"""

from __future__ import annotations

from pathlib import Path

from worker.core import queues
from worker.core.challenge import Challenge, ChallengeError, load_challenge, read_meta
from worker.core.kinds.base import Kind
from worker.core.kinds.dockerfile import DockerfileKind
from worker.core.kinds.python import PytestKind
from worker.core.kinds.quiz import (
    ANSWERS_FILE,
    QuizChallenge,
    QuizKind,
    load_quiz_challenge,
    quiz_challenge,
)
from worker.core.vocabulary import HANDS_ON_KINDS, KIND_NAMES

__all__ = ["ANSWERS_FILE", "KINDS", "Kind", "QuizChallenge", "get_kind", "load_any_challenge",
           "load_quiz_challenge", "queue_for", "quiz_challenge"]


def load_any_challenge(path: str | Path) -> Challenge:
    """The challenge in folder `path`, loaded as its `kind:` says (challenge.yaml read
    once, by worker/core/challenge.py read_meta)."""
    data = read_meta(path)
    name = data.get("kind")
    kind = KINDS.get(name) if isinstance(name, str) else None
    if kind is None:  # load_challenge says what is wrong with `kind:`, and where
        return load_challenge(path, data)
    return kind.load(Path(path), data)


def _kinds() -> dict[str, Kind]:
    kinds: dict[str, Kind] = {"python": PytestKind("python"), "flask": PytestKind("flask"),
                              "dockerfile": DockerfileKind(), "quiz": QuizKind()}
    # The names the rest of the lab (CLI choices, interview pools, schemas) is written
    # with live in worker/core/vocabulary.py; a kind added here must be added there.
    if tuple(kinds) != KIND_NAMES or tuple(n for n, k in kinds.items() if k.hands_on) != HANDS_ON_KINDS:
        raise RuntimeError("the kind registry and worker/core/vocabulary.py disagree")
    return kinds


KINDS: dict[str, Kind] = _kinds()


def get_kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise ChallengeError(
            f"kind '{name}' is not supported (known: {', '.join(sorted(KINDS))})") from None


def queue_for(mode: str, kind: str) -> str:
    """The job queue of one grading of a challenge of this kind (worker/core/queues.py)."""
    return queues.queue_for(mode, get_kind(kind).builds_images)

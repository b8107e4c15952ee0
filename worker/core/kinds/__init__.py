"""Challenge kinds: one plugin per kind behind one interface.

A kind turns (challenge, files, mode) into a Result.  The pytest kind serves `python`
and `flask` challenges (Flask apps are tested with the test client inside the same
sandbox); `dockerfile` builds and probes an image first (worker/core/kinds/dockerfile.py).
`quiz` needs no sandbox (`needs_sandbox = False`, called with `client=None`): the
answers travel as one file, `answers.json`, and are scored on the spot by worker/core/kinds/quiz.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import docker
import yaml

from worker.core import queues, safe_yaml
from worker.core.challenge import Challenge, ChallengeError, load_challenge
from worker.core.config import Limits, Settings
from worker.core.kinds.dockerfile import DockerfileKind
from worker.core.kinds.quiz import QuizError, grade_quiz, parse_answers, question_problem
from worker.core.parsing import compile_source
from worker.core.result import Result
from worker.core.sandbox import SandboxJob, candidate_modules
from worker.core.testids import expected_tests
from worker.core.verdict import max_points, run_tests
from worker.core.vocabulary import HANDS_ON_KINDS, KIND_NAMES

if TYPE_CHECKING:
    from worker.core.pool import SandboxPool


class Kind(Protocol):
    name: str
    needs_sandbox: bool  # False: grade() gets client=None and must not touch Docker
    builds_images: bool  # True: its gradings have the build queue to themselves
    hands_on: bool  # files to write (interviews draw them as tasks), else questions
    pooled: bool  # True: grade() takes a warm pool (worker/core/pool.py)

    def grade(self, challenge: Challenge, files: dict[str, bytes], mode: str, limits: Limits,
              settings: Settings, client: docker.DockerClient | None, image: str) -> Result: ...


class PytestKind:
    """Candidate files plus the public or hidden pytest suite, in one sandbox run; a warm
    pool container (worker/core/pool.py) when the caller has a pool."""

    pooled = True  # grade() passes its pool; other kinds always start cold
    needs_sandbox = True
    builds_images = False
    hands_on = True

    def __init__(self, name: str) -> None:
        self.name = name

    def grade(self, challenge, files, mode, limits, settings, client, image,
              pool: SandboxPool | None = None) -> Result:
        visibility = "public" if mode == "run" else "hidden"
        tests = challenge.test_files(visibility)
        try:
            expected = expected_tests(tests)
        except SyntaxError as exc:
            raise ChallengeError(f"{challenge.path / exc.filename}, line {exc.lineno}: "
                                 f"test file does not parse: {exc.msg}") from None
        if not expected:
            raise ChallengeError(f"{challenge.tests_dir(visibility)}: no test functions found")
        syntax = _syntax_error(files)
        if syntax:
            return Result(verdict="error", message=syntax,
                          max_score=max_points(expected, challenge.points),
                          limits=limits.as_dict())
        job = SandboxJob(files=files, judge_files=tests, test_paths=[f"tests/{visibility}"],
                         visibility=visibility, modules=candidate_modules(files))
        return run_tests(client, image, job, expected, challenge.points, limits, settings,
                         pool=pool)


def _syntax_error(files: dict[str, bytes]) -> str:
    """Checked on the host so the candidate sees the line even for hidden runs."""
    for name, data in sorted(files.items()):
        if not name.endswith(".py"):
            continue
        try:
            compile_source(data, name)
        except SyntaxError as exc:
            return f"{name}, line {exc.lineno}: {exc.msg}"
        except ValueError as exc:
            return f"{name}: {exc}"
        except (RecursionError, MemoryError):
            # e.g. tens of thousands of nested unary minus signs: the compiler gives up.
            return f"{name}: the code is nested too deeply to compile"
    return ""


ANSWERS_FILE = "answers.json"


@dataclass(frozen=True)
class QuizChallenge(Challenge):
    """A quiz: its questions with their answer keys; the only editable file is answers.json."""

    questions: tuple[dict, ...] = ()


def quiz_challenge(path: Path, slug: str, title: str, questions: list[dict]) -> QuizChallenge:
    return QuizChallenge(path=path, slug=slug, title=title, kind="quiz", editable=(ANSWERS_FILE,),
                         questions=tuple(questions))


class QuizKind:
    """Scores `answers.json` (a JSON object: question id -> answer) with worker/core/kinds/quiz.py, at
    once and without a container; unreadable answers are `rejected`, saying why."""

    name = "quiz"
    needs_sandbox = False
    builds_images = False
    hands_on = False
    pooled = False

    def grade(self, challenge: Challenge, files: dict[str, bytes], mode: str, limits: Limits,
              settings: Settings, client: docker.DockerClient | None = None, image: str = "") -> Result:
        questions = list(getattr(challenge, "questions", None) or [])
        if not questions:
            raise ChallengeError(f"{challenge.path}: a quiz challenge needs its questions")
        try:
            answers = parse_answers(questions, _read_answers(files))
        except QuizError as exc:
            return Result(verdict="rejected", message=str(exc))
        return grade_quiz(questions, answers)


def _read_answers(files: dict[str, bytes]) -> object:
    """The decoded answers.json; QuizError says what is wrong with it."""
    extra = sorted(set(files) - {ANSWERS_FILE})
    if extra:
        raise QuizError(f"{extra[0]!r}: a quiz takes one file, {ANSWERS_FILE}")
    if ANSWERS_FILE not in files:
        raise QuizError(f"{ANSWERS_FILE}: missing (the answers travel as one JSON file)")
    try:
        text = bytes(files[ANSWERS_FILE]).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise QuizError(f"{ANSWERS_FILE}: not UTF-8 text (invalid byte at offset {exc.start})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise QuizError(f"{ANSWERS_FILE}: not valid JSON (line {exc.lineno} column {exc.colno}: "
                        f"{exc.msg})") from None
    except RecursionError:
        raise QuizError(f"{ANSWERS_FILE}: nested too deeply") from None


def load_quiz_challenge(path: str | Path) -> QuizChallenge:
    """A quiz challenge folder; ChallengeError names the file and the question."""
    root = Path(path)
    meta = root / "challenge.yaml"
    try:
        data = safe_yaml.load(meta.read_text(encoding="utf-8"), str(meta))
    except safe_yaml.YamlRefused as exc:  # names the file and line itself
        raise ChallengeError(str(exc)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ChallengeError(f"{meta}: cannot be read: {exc}") from None
    if not isinstance(data, dict) or data.get("kind") != "quiz":
        raise ChallengeError(f"{meta}: not a quiz (kind: quiz)")
    if not isinstance(data.get("title"), str):
        raise ChallengeError(f"{meta}: missing field 'title'")
    questions = data.get("questions")
    if not isinstance(questions, list) or not questions:
        raise ChallengeError(f"{meta}: field 'questions' must list the questions")
    for n, q in enumerate(questions):
        problem = question_problem(q)
        if problem:
            qid = q.get("id", "") if isinstance(q, dict) else ""
            raise ChallengeError(f"{meta}: questions.{n} ({qid}): {problem}")
    return quiz_challenge(root, root.name, data["title"], questions)


def load_any_challenge(path: str | Path) -> Challenge:
    """load_challenge, or load_quiz_challenge when challenge.yaml says `kind: quiz`."""
    try:
        meta = Path(path) / "challenge.yaml"
        data = safe_yaml.load(meta.read_text(encoding="utf-8"), str(meta))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        data = None  # load_challenge says what is wrong
    if isinstance(data, dict) and data.get("kind") == "quiz":
        return load_quiz_challenge(path)
    return load_challenge(path)


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

"""The `quiz` kind: questions with answer keys, scored at submit time without a
container.  The answers travel as one file, `answers.json`; a quiz folder's questions are
checked by the one question checker here, which the pack validator shares.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import docker

from worker.core.challenge import Challenge, ChallengeError, read_meta
from worker.core.config import Limits, Settings
from worker.core.kinds.base import SCAFFOLDS
from worker.core.result import Result, TestResult

QUESTION_TYPES = ("single", "multiple", "exact", "predict")


def question_problem(q: object, need_predict_answer: bool = True) -> str:
    """Why a question cannot be graded as written ('' if it can): the one checker of a
    question's shape and answer key, shared by the folder loader (worker/core/kinds) and
    the pack validator (lab/packs/validate.py), so the two cannot disagree.
    `need_predict_answer`: a predict question must carry its answer when graded from the
    folder; a pack being imported gets it computed in the sandbox instead."""
    if not isinstance(q, dict) or not isinstance(q.get("id"), str) or not q["id"]:
        return "needs an 'id' (text)"
    if q.get("type") not in QUESTION_TYPES:
        return f"'type' must be one of {', '.join(QUESTION_TYPES)}"
    if not isinstance(q.get("prompt"), str) or not q["prompt"].strip():
        return "needs a 'prompt' (text)"
    options, answer = q.get("options"), q.get("answer")
    count = len(options) if isinstance(options, list) else 0

    def index(a: object) -> bool:  # bool is an int in Python, never an index here
        return isinstance(a, int) and not isinstance(a, bool) and 0 <= a < count

    if q["type"] == "single" and not index(answer):
        return f"'answer' must be an option index below {count}"
    if q["type"] == "multiple" and not (isinstance(answer, list) and answer and all(map(index, answer))):
        return f"'answer' must list option indexes below {count}"
    if q["type"] == "exact" and not (isinstance(answer, str) or (
            isinstance(answer, list) and answer and all(isinstance(a, str) for a in answer))):
        return "'answer' must be the accepted text (or a non-empty list of them)"
    if q["type"] == "predict" and answer is not None and not isinstance(answer, str):
        return "'answer' must be the text the snippet prints"
    if q["type"] == "predict" and need_predict_answer and not isinstance(answer, str):
        return ("'answer' (what the snippet prints) is needed to grade from the folder; the lab "
                "computes it in the sandbox at import, and `lab pack verify` checks a given one")
    return ""


class QuizError(ValueError):
    """The answers cannot be read; the message says which question and why."""


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip()).casefold()


def _norm_output(text: str) -> str:
    """Outputs compare line by line, ignoring white space at line ends and around the whole."""
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").strip().splitlines())


def public_questions(questions: list[dict]) -> list[dict]:
    """What a candidate may see before answering: no keys, no explanations."""
    keep = ("id", "type", "prompt", "options", "snippet", "points", "topics")
    return [{k: q[k] for k in keep if k in q} for q in questions]


def parse_answers(questions: list[dict], answers: object) -> dict[str, object]:
    if not isinstance(answers, dict):
        raise QuizError("'answers' must be an object mapping question ids to answers")
    ids = {q["id"] for q in questions}
    unknown = set(answers) - ids
    if unknown:
        raise QuizError(f"unknown question id(s): {', '.join(sorted(map(str, unknown))[:5])}")
    for q in questions:
        value = answers.get(q["id"])
        if value is None:
            continue
        if q["type"] == "single" and not (isinstance(value, int) and not isinstance(value, bool)
                                          and 0 <= value < len(q["options"])):
            raise QuizError(f"question {q['id']}: expected one option index below {len(q['options'])}")
        if q["type"] == "multiple" and not (isinstance(value, list) and all(
                isinstance(v, int) and 0 <= v < len(q["options"]) for v in value)):
            raise QuizError(f"question {q['id']}: expected a list of option indexes")
        if q["type"] in ("exact", "predict") and not (isinstance(value, str) and len(value) <= 2000):
            raise QuizError(f"question {q['id']}: expected text (at most 2000 characters)")
    return dict(answers)


def is_correct(question: dict, value: object) -> bool:
    key = question.get("answer")
    kind = question["type"]
    if value is None:
        return False
    if kind == "single":
        return value == key
    if kind == "multiple":
        return sorted(set(value)) == sorted(set(key))
    if kind == "exact":
        accepted = key if isinstance(key, list) else [key]
        return _norm(str(value)) in {_norm(str(a)) for a in accepted}
    return _norm_output(str(value)) == _norm_output(str(key))


def grade_quiz(questions: list[dict], answers: dict[str, object]) -> Result:
    tests = []
    for q in questions:
        value = answers.get(q["id"])
        ok = is_correct(q, value)
        tests.append(TestResult(
            name=q["id"], outcome="passed" if ok else "failed",
            message="" if ok else ("not answered" if value is None else "not the right answer"),
            duration=0.0, visibility="public", points=int(q.get("points", 1)),
            intent=q["prompt"].strip().splitlines()[0][:200]))
    score = sum(t.points for t in tests if t.outcome == "passed")
    total = sum(t.points for t in tests)
    passed = sum(t.outcome == "passed" for t in tests)
    return Result(verdict="passed" if score == total else "failed", score=score, max_score=total,
                  tests=tests, message=f"{passed} of {len(tests)} answers right")


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
    python_modules = False
    prompt_file = False  # each question carries its own prompt
    required_files: tuple[str, ...] = ()
    probes = False
    scaffold = SCAFFOLDS / "quiz"

    def load(self, path: Path, data: dict) -> QuizChallenge:
        return load_quiz_challenge(path, data)

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


def load_quiz_challenge(path: str | Path, data: dict | None = None) -> QuizChallenge:
    """A quiz challenge folder (its `challenge.yaml` as `data` when the caller has read
    it already); ChallengeError names the file and the question."""
    root = Path(path)
    meta = root / "challenge.yaml"
    if data is None:
        data = read_meta(root)
    if data.get("kind") != "quiz":
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


PROVIDES = (QuizKind(),)

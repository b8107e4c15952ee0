"""The quiz kind: answers.json scored through KINDS["quiz"], never with Docker."""

import json

import pytest

from tests.helpers import ROOT
from worker.core.challenge import ChallengeError
from worker.core.config import Settings
from worker.core.kinds import KINDS, QuizChallenge, load_any_challenge, load_quiz_challenge
from worker.core.kinds.quiz import grade_quiz

QUIZ = ROOT / "challenges" / "quiz-python-flask" / "python-testing-basics"  # all four types
RIGHT = {
    "fixture-scope-default": 0,                                  # single
    "yield-fixture-teardown": "open\ntest uses 42  \nclose\n",   # predict: line ends ignored
    "parametrize-count": "  SIX ",                               # exact: one of the accepted texts
    "patch-where-used": 1,                                       # single
    "test-client-practices": [3, 0, 1],                          # multiple: order does not matter
    "red-green": 1,                                              # single
}
WRONG = {
    "fixture-scope-default": 2,
    "yield-fixture-teardown": "open\nclose\ntest uses 42",
    "parametrize-count": "5",
    "test-client-practices": [0, 1],
}


@pytest.fixture(autouse=True)
def no_docker(monkeypatch):
    """Any attempt to reach the engine fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("the quiz kind touched Docker")

    monkeypatch.setattr("docker.from_env", refuse)
    monkeypatch.setattr("worker.core.sandbox.connect", refuse)
    monkeypatch.setattr("worker.core.grading.connect", refuse)


@pytest.fixture(scope="module")
def quiz() -> QuizChallenge:
    return load_quiz_challenge(QUIZ)


def grade(challenge, answers, raw: bytes | None = None, files: dict | None = None):
    settings = Settings()
    if files is None:
        files = {"answers.json": raw if raw is not None else json.dumps(answers).encode()}
    return KINDS["quiz"].grade(challenge, files, "submit", settings.limits, settings, None, "")


def outcomes(result) -> dict[str, str]:
    return {t.name: t.outcome for t in result.tests}


def test_quiz_is_a_registered_kind_without_sandbox():
    assert KINDS["quiz"].name == "quiz" and not KINDS["quiz"].needs_sandbox
    assert all(KINDS[name].needs_sandbox for name in ("python", "flask", "dockerfile"))


def test_a_quiz_folder_loads_with_its_questions(quiz):
    assert isinstance(load_any_challenge(QUIZ), QuizChallenge)
    assert quiz.kind == "quiz" and quiz.editable == ("answers.json",)
    assert {q["type"] for q in quiz.questions} == {"single", "multiple", "exact", "predict"}


def test_all_right_answers_pass_with_the_full_score(quiz):
    result = grade(quiz, RIGHT)
    assert result.verdict == "passed" and (result.score, result.max_score) == (6, 6)
    assert result.message == "6 of 6 answers right"
    assert result.to_dict() == grade_quiz(list(quiz.questions), RIGHT).to_dict()  # same scoring


@pytest.mark.parametrize("qid", sorted(WRONG))
def test_each_question_type_is_scored(quiz, qid):
    kind = next(q["type"] for q in quiz.questions if q["id"] == qid)
    right = grade(quiz, {qid: RIGHT[qid]})
    assert outcomes(right)[qid] == "passed", kind
    assert right.verdict == "failed" and right.score == 1
    wrong = grade(quiz, {**RIGHT, qid: WRONG[qid]})
    assert outcomes(wrong)[qid] == "failed", kind
    assert wrong.verdict == "failed" and wrong.score == 5
    assert next(t.message for t in wrong.tests if t.name == qid) == "not the right answer"


def test_unanswered_questions_fail_as_not_answered(quiz):
    result = grade(quiz, {})
    assert result.verdict == "failed" and result.score == 0
    assert {t.message for t in result.tests} == {"not answered"}
    assert grade(quiz, {"red-green": None}).tests[-1].message == "not answered"


@pytest.mark.parametrize("raw, words", [
    (b'{"red-green": 1', "answers.json: not valid JSON (line 1 column 16"),
    (b"", "answers.json: not valid JSON"),
    (b'{"red-green": "\xff"}', "answers.json: not UTF-8 text (invalid byte at offset 15)"),
    (b"[1, 2]", "'answers' must be an object mapping question ids to answers"),
    (b'"text"', "'answers' must be an object mapping question ids to answers"),
    (b'{"nope": 1}', "unknown question id(s): nope"),
    (b'{"red-green": 7}', "question red-green: expected one option index below 4"),
    (b'{"red-green": true}', "question red-green: expected one option index below 4"),
    (b'{"test-client-practices": 1}', "question test-client-practices: expected a list of option indexes"),
    (b'{"parametrize-count": 6}', "question parametrize-count: expected text (at most 2000 characters)"),
    (json.dumps({"yield-fixture-teardown": "x" * 2001}).encode(),
     "question yield-fixture-teardown: expected text"),
    (b"[" * 100_000 + b"]" * 100_000, "answers.json: nested too deeply"),
])
def test_broken_answers_are_rejected_saying_why(quiz, raw, words):
    result = grade(quiz, None, raw=raw)
    assert result.verdict == "rejected" and words in result.message
    assert result.tests == [] and result.score == 0


@pytest.mark.parametrize("files, words", [
    ({}, "answers.json: missing"),
    ({"answers.json": b"{}", "notes.txt": b"hi"}, "'notes.txt': a quiz takes one file, answers.json"),
])
def test_the_answers_travel_as_exactly_one_file(quiz, files, words):
    result = grade(quiz, None, files=files)
    assert result.verdict == "rejected" and words in result.message


def test_grading_core_scores_a_quiz_folder_without_docker():
    from worker.core.grading import grade as grade_files

    files = {"answers.json": json.dumps(RIGHT).encode()}
    result = grade_files(QUIZ, files, "submit", settings=Settings())
    assert result.verdict == "passed" and result.mode == "submit" and result.score == 6
    other = grade_files(QUIZ, {"solution.py": b"x = 1\n"}, settings=Settings())
    assert other.verdict == "rejected" and "editable: answers.json" in other.message


@pytest.mark.parametrize("question, words", [
    ({"id": "p", "type": "predict", "prompt": "What?", "snippet": "print(1)"},
     "questions.0 (p): 'answer' (what the snippet prints) is needed"),
    ({"id": "s", "type": "single", "prompt": "Which?", "options": ["a"], "answer": 3},
     "questions.0 (s): 'answer' must be an option index"),
    ({"id": "e", "type": "essay", "prompt": "Why?"}, "questions.0 (e): 'type' must be one of"),
])
def test_a_quiz_folder_that_cannot_be_graded_names_the_question(tmp_path, question, words):
    (tmp_path / "challenge.yaml").write_text(json.dumps(
        {"title": "T", "kind": "quiz", "questions": [question]}))
    with pytest.raises(ChallengeError) as info:
        load_any_challenge(tmp_path)
    assert "challenge.yaml" in str(info.value) and words in str(info.value)


def test_a_challenge_without_questions_is_a_challenge_error(quiz):
    with pytest.raises(ChallengeError):
        grade(QuizChallenge(path=quiz.path, slug="q", title="Q", kind="quiz",
                            editable=("answers.json",)), {})

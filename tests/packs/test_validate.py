"""Broken packs are invalid, with a message naming the file (and line, field)."""

import subprocess
import sys

import pytest
import yaml

from lab.packs.validate import validate_pack
from worker.core.kinds.quiz import question_problem

CHALLENGE_REQUIRED = ["title", "kind", "difficulty", "topics", "time_estimate_minutes", "hints",
                      "explanation", "editable"]
PACK_REQUIRED = ["name", "version", "title", "description", "authors", "license"]


def messages(folder) -> list[str]:
    return [str(p) for p in validate_pack(folder).problems]


class NoAliasDumper(yaml.SafeDumper):
    """safe_dump writes a value met twice as an anchor and aliases, which packs refuse."""

    def ignore_aliases(self, data):
        return True


def edit_yaml(path, change):
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.dump(data, Dumper=NoAliasDumper, sort_keys=False))


def test_good_pack_is_valid(good_pack):
    info = validate_pack(good_pack)
    assert info.valid, info.problems
    assert {c.slug for c in info.challenges} == {"word-count", "basics-quiz"}


@pytest.mark.parametrize("field", CHALLENGE_REQUIRED)
def test_each_required_challenge_field(good_pack, field):
    edit_yaml(good_pack / "word-count" / "challenge.yaml", lambda d: d.pop(field))
    found = messages(good_pack)
    assert any(m.startswith("word-count/challenge.yaml") and field in m and "required" in m
               for m in found), found


@pytest.mark.parametrize("field", PACK_REQUIRED)
def test_each_required_pack_field(good_pack, field):
    edit_yaml(good_pack / "pack.yaml", lambda d: d.pop(field))
    assert any(m.startswith("pack.yaml") and field in m for m in messages(good_pack))


@pytest.mark.parametrize("field, value, words", [
    ("kind", "cobol", "not one of"),
    ("difficulty", "extreme", "not one of"),
    ("topics", ["py.nonsense"], "not a known topic id"),
    ("time_estimate_minutes", "ten", "expected integer"),
    ("title", 42, "expected string"),
    ("editable", ["conftest.py"], "never submit"),
    ("limits", {"memory": 5}, "unknown field"),
    ("colour", "red", "unknown field"),
])
def test_wrong_values(good_pack, field, value, words):
    edit_yaml(good_pack / "word-count" / "challenge.yaml", lambda d: d.__setitem__(field, value))
    found = messages(good_pack)
    assert any("word-count/challenge.yaml" in m and words in m for m in found), found


def test_bad_yaml_names_the_line(good_pack):
    path = good_pack / "word-count" / "challenge.yaml"
    path.write_text(path.read_text() + "hints: [unclosed\n")
    found = messages(good_pack)
    assert any(m.startswith("word-count/challenge.yaml:") and "not valid YAML" in m for m in found)


def test_schema_errors_carry_the_line(good_pack):
    path = good_pack / "word-count" / "challenge.yaml"
    path.write_text(path.read_text().replace("difficulty: easy", "difficulty: extreme"))
    problem = next(p for p in validate_pack(good_pack).problems if p.field == "difficulty")
    lines = path.read_text().splitlines()
    assert "extreme" in lines[problem.line - 1]


@pytest.mark.parametrize("missing, words", [
    ("prompt.md", "prompt.md: missing"),
    ("starter/words.py", "starter/words.py: missing"),
    ("solution/words.py", "solution/words.py: missing"),
    ("tests/hidden", "tests/hidden: test folder is missing"),
    ("tests/public", "tests/public: test folder is missing"),
])
def test_missing_files(good_pack, missing, words):
    import shutil

    target = good_pack / "word-count" / missing
    shutil.rmtree(target) if target.is_dir() else target.unlink()
    assert any(words in m for m in messages(good_pack)), messages(good_pack)


def test_a_hidden_test_needs_no_docstring(good_pack):
    """Without one, the candidate sees the test's name in words: nothing to warn about."""
    path = good_pack / "word-count" / "tests" / "hidden" / "test_words_hidden.py"
    path.write_text(path.read_text() + "\n\ndef test_undocumented():\n    assert True\n"
                    "\n\nimport unittest\n\n\nclass WordsCase(unittest.TestCase):\n"
                    "    def test_in_a_case(self):\n        self.assertTrue(True)\n")
    assert not any("test_undocumented" in m or "WordsCase" in m for m in messages(good_pack))


def test_test_file_that_does_not_parse(good_pack):
    path = good_pack / "word-count" / "tests" / "hidden" / "test_words_hidden.py"
    path.write_text("def test_x(:\n")
    assert any("test_words_hidden.py:1" in m and "does not parse" in m for m in messages(good_pack))


def test_symlink_is_refused(good_pack):
    (good_pack / "word-count" / "starter" / "link.py").symlink_to("/etc/passwd")
    assert any("symbolic links" in m for m in messages(good_pack))


def test_quiz_problems(good_pack):
    def change(data):
        data["questions"][0]["answer"] = 9
        data["questions"].append(dict(data["questions"][0]))
    edit_yaml(good_pack / "basics-quiz" / "challenge.yaml", change)
    found = messages(good_pack)
    assert any("option index below 4" in m for m in found)
    assert any("duplicate question id" in m for m in found)


def test_cli_exit_codes(good_pack, tmp_path):
    ok = subprocess.run([sys.executable, "-m", "lab.cli", "pack", "validate", str(good_pack)],
                        capture_output=True, text=True)
    assert ok.returncode == 0 and "valid (2 challenges)" in ok.stdout
    edit_yaml(good_pack / "pack.yaml", lambda d: d.pop("name"))
    bad = subprocess.run([sys.executable, "-m", "lab.cli", "pack", "validate", str(good_pack)],
                         capture_output=True, text=True)
    assert bad.returncode == 1 and "pack.yaml" in bad.stdout and "name" in bad.stdout
    usage = subprocess.run([sys.executable, "-m", "lab.cli", "pack", "validate", "/nonexistent"],
                           capture_output=True, text=True)
    assert usage.returncode == 2


def test_bundled_packs_are_valid():
    from tests.helpers import ROOT

    for pack_yaml in sorted((ROOT / "challenges").glob("*/pack.yaml")):
        info = validate_pack(pack_yaml.parent)
        assert info.valid, [str(p) for p in info.problems]


# --- messages for kind-dependent fields and unknown kinds: no raw jsonschema output ---------

RAW = ("should not be valid under", "{'", "is not valid under any of the given schemas")
QUESTIONS = [
    {"id": "pick-one", "type": "single", "prompt": "Which operator compares identity?",
     "options": ["==", "is"], "answer": 1, "explanation": "`is` compares identity."},
    {"id": "pick-some", "type": "multiple", "prompt": "Which of these are mutable?",
     "options": ["list", "tuple", "dict"], "answer": [0, 2], "explanation": "Lists and dicts change."},
    {"id": "type-it", "type": "exact", "prompt": "Which keyword defines a function?",
     "answer": "def", "explanation": "`def` binds a function object to a name."},
    {"id": "predict-it", "type": "predict", "prompt": "What does this print?",
     "snippet": "print(1 + 1)\n", "explanation": "One and one make two."},
]


def readable(found: list[str]) -> list[str]:
    """`found`, after checking that no message is jsonschema's raw text or a dumped dict."""
    assert found, "expected problems"
    for message in found:
        assert not any(raw in message for raw in RAW), message
    return found


def line_of(path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if line.startswith(text))


@pytest.fixture
def example_pack(tmp_path):
    """A copy of the bundled examples pack (python challenges)."""
    import shutil

    from tests.helpers import ROOT

    return shutil.copytree(ROOT / "challenges" / "examples", tmp_path / "examples")


@pytest.fixture
def quiz_pack(good_pack):
    """good_pack whose quiz has one question of each type."""
    edit_yaml(good_pack / "basics-quiz" / "challenge.yaml",
              lambda d: d.__setitem__("questions", [dict(q) for q in QUESTIONS]))
    return good_pack


@pytest.mark.parametrize("kind", ["python", "flask", "dockerfile"])
def test_questions_in_a_hands_on_challenge(example_pack, kind):
    path = example_pack / "retry-decorator" / "challenge.yaml"
    edit_yaml(path, lambda d: d.update(kind=kind, questions=[dict(QUESTIONS[0])]))
    assert readable(messages(example_pack)) == [
        f"retry-decorator/challenge.yaml:{line_of(path, 'questions:')}: questions: not allowed for "
        f"kind {kind} (only quiz challenges have questions)"]


def test_editable_in_a_quiz(quiz_pack):
    path = quiz_pack / "basics-quiz" / "challenge.yaml"
    edit_yaml(path, lambda d: d.__setitem__("editable", ["solution.py"]))
    assert readable(messages(quiz_pack)) == [
        f"basics-quiz/challenge.yaml:{line_of(path, 'editable:')}: editable: not allowed for kind "
        "quiz (a quiz has questions, not editable files)"]


@pytest.mark.parametrize("slug, kind, drop", [
    ("retry-decorator", "pythn", None),
    ("retry-decorator", "pythn", "editable"),  # what the kind's rules would miss is not reported
    ("retry-decorator", "quiz-ish", None),
    ("basics-quiz", "quizz", None),
    ("basics-quiz", "python ", None),
])
def test_unknown_kind_gives_only_the_kind_message(example_pack, good_pack, slug, kind, drop):
    pack = example_pack if slug == "retry-decorator" else good_pack
    path = pack / slug / "challenge.yaml"

    def change(data):
        data["kind"] = kind
        data.pop(drop, None)
    edit_yaml(path, change)
    assert readable(messages(pack)) == [
        f"{slug}/challenge.yaml:{line_of(path, 'kind:')}: kind: {kind!r} is not one of python, flask, "
        "dockerfile, quiz"]


def test_missing_kind_gives_only_the_kind_message(example_pack):
    edit_yaml(example_pack / "retry-decorator" / "challenge.yaml", lambda d: d.pop("kind"))
    assert readable(messages(example_pack)) == [
        "retry-decorator/challenge.yaml:1: kind: required field is missing"]


def test_quiz_with_one_question_of_each_type_is_valid(quiz_pack):
    info = validate_pack(quiz_pack)
    assert info.valid, [str(p) for p in info.problems]


def question_required() -> list[tuple[str, str]]:
    """(question type, field) for every field the schema requires of a quiz question."""
    from lab.packs.problems import schema

    items = schema("challenge")["properties"]["questions"]["items"]
    types = items["properties"]["type"]["enum"]
    pairs = [(t, f) for t in types for f in items["required"]]
    for rule in items["allOf"]:
        condition = rule["if"]["properties"]["type"]
        for t in condition.get("enum") or [condition["const"]]:
            pairs += [(t, f) for f in rule["then"]["required"]]
    return pairs


def test_question_required_fields_are_the_known_ones():
    assert sorted(question_required()) == sorted(
        [(t, f) for t in ("single", "multiple", "exact", "predict")
         for f in ("id", "type", "prompt", "explanation")]
        + [("single", "options"), ("single", "answer"), ("multiple", "options"),
           ("multiple", "answer"), ("exact", "answer"), ("predict", "snippet")])


@pytest.mark.parametrize("qtype, field", question_required())
def test_each_required_question_field(quiz_pack, qtype, field):
    index = next(n for n, q in enumerate(QUESTIONS) if q["type"] == qtype)
    path = quiz_pack / "basics-quiz" / "challenge.yaml"
    edit_yaml(path, lambda d: d["questions"][index].pop(field))
    info = validate_pack(quiz_pack)
    assert not info.valid
    [problem] = info.problems  # one message: no noise from the rules of the other types
    assert problem.file == "basics-quiz/challenge.yaml"
    assert problem.field == f"questions.{index}.{field}"
    assert problem.message.startswith("required field is missing")
    assert problem.line is not None
    readable([str(problem)])
    assert str(problem).startswith(f"basics-quiz/challenge.yaml:{problem.line}: questions.{index}.{field}:")


def test_conditional_required_field_names_the_type(quiz_pack):
    edit_yaml(quiz_pack / "basics-quiz" / "challenge.yaml", lambda d: d["questions"][3].pop("snippet"))
    [problem] = validate_pack(quiz_pack).problems
    assert problem.message == "required field is missing for type predict"


@pytest.mark.parametrize("change", [
    lambda d: d.__setitem__("hints", {"first": "a hint"}),
    lambda d: d.__setitem__("limits", [1, 2]),
    lambda d: d.__setitem__("limits", {"memory_mb": {"a": 1}}),
    lambda d: d.__setitem__("scoring", {"points": {"test_x": {"a": 1}}}),
    lambda d: d.__setitem__("editable", []),
    lambda d: d.__setitem__("editable", ["solution.py", "solution.py"]),
    lambda d: d.__setitem__("editable", ["../x.py"]),
    lambda d: d.__setitem__("topics", {"py.types": 1}),
    lambda d: d.__setitem__("probes", [{"name": "x", "exec": ["true"], "extra": {"a": 1}}]),
    lambda d: d.__setitem__("explanation", "short"),
], ids=["hints-mapping", "limits-list", "limit-mapping", "points-mapping", "editable-empty",
        "editable-twice", "editable-path", "topics-mapping", "probe-extra-field", "explanation-short"])
def test_hands_on_messages_are_readable(example_pack, change):
    edit_yaml(example_pack / "retry-decorator" / "challenge.yaml", change)
    found = readable(messages(example_pack))
    assert all(m.startswith("retry-decorator/challenge.yaml:") for m in found), found


@pytest.mark.parametrize("change", [
    lambda d: d.__setitem__("questions", {"a": 1}),
    lambda d: d.__setitem__("questions", []),
    lambda d: d["questions"][0].__setitem__("answer", {"index": 1}),
    lambda d: d["questions"][0].__setitem__("type", "choose"),
    lambda d: d["questions"][0].__setitem__("options", [{"a": 1}, "b"]),
    lambda d: d["questions"][0].__setitem__("topics", [{"a": 1}]),
    lambda d: d["questions"].append("a bare string"),
    lambda d: d["questions"][1].__setitem__("colour", {"a": 1}),
], ids=["questions-mapping", "questions-empty", "answer-mapping", "type-unknown", "option-mapping",
        "topic-mapping", "question-string", "question-extra-field"])
def test_quiz_messages_are_readable(quiz_pack, change):
    edit_yaml(quiz_pack / "basics-quiz" / "challenge.yaml", change)
    found = readable(messages(quiz_pack))
    assert all(m.startswith("basics-quiz/challenge.yaml:") for m in found), found


def test_cli_prints_the_readable_message(example_pack):
    edit_yaml(example_pack / "retry-decorator" / "challenge.yaml",
              lambda d: d.__setitem__("questions", [dict(QUESTIONS[0])]))
    out = subprocess.run([sys.executable, "-m", "lab.cli", "pack", "validate", str(example_pack)],
                         capture_output=True, text=True)
    assert out.returncode == 1
    assert "questions: not allowed for kind python (only quiz challenges have questions)" in out.stdout
    assert not any(raw in out.stdout + out.stderr for raw in RAW), out.stdout


@pytest.mark.parametrize(("question_type", "answer", "words"), [
    ("single", True, "'answer' must be an option index below 4"),  # a bool is not an index
    ("multiple", [0, False], "'answer' must list option indexes below 4"),
    ("exact", [], "'answer' must be the accepted text (or a non-empty list of them)"),
])
def test_the_validator_refuses_keys_the_grader_would_refuse(good_pack, question_type, answer,
                                                            words):
    """The validator refuses every key the quiz grader refuses (the schema, then the one
    checker both share, worker/core/kinds/quiz.py question_problem), naming the field."""
    def change(data):
        question = data["questions"][0]
        question["type"] = question_type
        question["answer"] = answer
    edit_yaml(good_pack / "basics-quiz" / "challenge.yaml", change)
    found = messages(good_pack)
    assert any("questions.0" in m and "answer" in m for m in found), found
    data = {"id": "q", "type": question_type, "prompt": "Which?",
            "options": ["a", "b", "c", "d"], "answer": answer}
    assert question_problem(data) == words  # the loader's words for the same key

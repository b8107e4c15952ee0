"""Adding a kind touches one module plus the schema: this module is that one module (the
made-up `echo` kind: the candidate writes answer.txt, graded without a sandbox against
the EXPECTED of each test file), and the schema is patched as an author would edit it.
Nothing else of the lab is told: the CLI, scaffolding, pack validation, grading, queues
and interview pools all find it through the registry."""

from __future__ import annotations

import ast
import copy
from pathlib import Path

import pytest
from click.testing import CliRunner

from lab.cli.pack import new as pack_new
from lab.interviews import templates
from lab.packs import problems
from lab.packs.validate import validate_pack
from worker.core import queues
from worker.core.challenge import Challenge, load_challenge
from worker.core.config import Settings
from worker.core.grading import grade
from worker.core.kinds import KINDS, hands_on_kinds, queue_for, register
from worker.core.result import Result
from worker.core.result import TestResult as Outcome
from worker.core.testids import expected_tests

HIDDEN_TEST = '''EXPECTED = "42"


def test_answer():
    """The answer is 42"""
    assert open("answer.txt").read().strip() == EXPECTED
'''


class EchoKind:
    name = "echo"
    needs_sandbox = False
    builds_images = False
    hands_on = True
    pooled = False
    python_modules = False
    prompt_file = True
    required_files = ("answer.txt",)
    probes = False

    def __init__(self, scaffold: Path) -> None:
        self.scaffold = scaffold

    def load(self, path: Path, data: dict) -> Challenge:
        return load_challenge(path, data)

    def grade(self, challenge, files, mode, limits, settings, client, image) -> Result:
        visibility = "public" if mode == "run" else "hidden"
        answer = files.get("answer.txt", b"").decode(errors="replace").strip()
        tests = []
        for path, source in challenge.test_files(visibility).items():
            expected = next(node.value.value for node in ast.parse(source).body
                            if isinstance(node, ast.Assign) and node.targets[0].id == "EXPECTED")
            for test_id in expected_tests({path: source}):
                ok = answer == expected
                tests.append(Outcome(test_id.split("::")[-1], "passed" if ok else "failed",
                                        "" if ok else "not the expected answer", 0.0, visibility,
                                        id=test_id))
        score = sum(t.outcome == "passed" for t in tests)
        return Result("passed" if score == len(tests) else "failed", score=score,
                      max_score=len(tests), tests=tests)


def write_example(root: Path) -> Path:
    """The kind's scaffold: one example challenge folder."""
    folder = root / "echo" / "say-42"
    for rel, text in {
        "challenge.yaml": "title: Say 42\nkind: echo\ntopics: [py.stdlib]\neditable: [answer.txt]\n",
        "prompt.md": "Write 42 in answer.txt.\n",
        "starter/answer.txt": "\n",
        "solution/answer.txt": "42\n",
        "tests/public/test_public.py": HIDDEN_TEST,
        "tests/hidden/test_hidden.py": HIDDEN_TEST,
    }.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text)
    return folder.parent


@pytest.fixture
def echo(tmp_path, monkeypatch):
    kind = EchoKind(write_example(tmp_path / "scaffolds"))
    register(KINDS, kind)  # what the registry does with a module's PROVIDES (removed below)
    challenge_schema = copy.deepcopy(problems.schema("challenge"))
    challenge_schema["properties"]["kind"]["enum"].append("echo")  # the schema's line
    interview_schema = copy.deepcopy(problems.schema("interview"))
    interview_schema["$defs"]["pool"]["properties"]["kinds"]["items"]["enum"].append("echo")
    patched = {"challenge": challenge_schema, "interview": interview_schema}
    original = problems.schema
    monkeypatch.setattr(problems, "schema", lambda name: patched.get(name) or original(name))
    yield kind
    del KINDS["echo"]


def test_a_made_up_kind_works_through_the_registry_alone(echo, tmp_path):
    made = CliRunner().invoke(pack_new, ["echo-pack", "--kind", "echo", "--dest", str(tmp_path)])
    assert made.exit_code == 0, made.output
    pack = tmp_path / "echo-pack"
    info = validate_pack(pack, check_catalog=False)
    assert info.valid, [str(p) for p in info.problems]

    settings = Settings()
    right = grade(pack / "say-42", {"answer.txt": b"42\n"}, "submit", settings=settings)
    wrong = grade(pack / "say-42", {"answer.txt": b"41\n"}, "submit", settings=settings)
    assert (right.verdict, right.score, right.max_score) == ("passed", 1, 1)
    assert (wrong.verdict, wrong.score) == ("failed", 0)

    assert queue_for("submit", "echo") == queues.SUBMIT
    assert "echo" in hands_on_kinds()
    assert templates.describe_pool({"kinds": ["echo"]}) == "echo items"


def test_a_made_up_kind_must_keep_the_rules_a_pack_checks(echo, tmp_path):
    """Its required file is asked of every challenge of it, by name."""
    made = CliRunner().invoke(pack_new, ["echo-pack", "--kind", "echo", "--dest", str(tmp_path)])
    assert made.exit_code == 0, made.output
    meta = tmp_path / "echo-pack" / "say-42" / "challenge.yaml"
    meta.write_text(meta.read_text().replace("editable: [answer.txt]", "editable: [notes.txt]"))
    for folder in ("starter", "solution"):
        (meta.parent / folder / "notes.txt").write_text("42\n")
    info = validate_pack(tmp_path / "echo-pack", check_catalog=False)
    assert "say-42/challenge.yaml: editable: every echo challenge edits 'answer.txt'" in [
        str(p) for p in info.problems]


def test_two_kinds_of_one_name_are_refused():
    with pytest.raises(RuntimeError, match="two kinds are named 'python'"):
        register(dict(KINDS), KINDS["python"])

"""One list of kinds, the registry's: the JSON schemas, the CLI choices, the interview
pools and the scaffolds all follow it."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from lab.cli.pack import new as pack_new
from lab.cli.pack import validate as pack_validate
from lab.interviews import templates
from worker.core import queues
from worker.core.challenge import ChallengeError
from worker.core.kinds import KINDS, get_kind, hands_on_kinds, queue_for
from worker.core.kinds.quiz import QUESTION_TYPES
from worker.core.vocabulary import DIFFICULTIES

KIND_NAMES = tuple(KINDS)

SCHEMAS = Path(__file__).resolve().parents[3] / "challenges" / "schema"
CHALLENGE = json.loads((SCHEMAS / "challenge.schema.json").read_text())
INTERVIEW = json.loads((SCHEMAS / "interview.schema.json").read_text())


def test_the_registry_finds_every_kind_module():
    assert KIND_NAMES == ("python", "flask", "dockerfile", "quiz")
    assert hands_on_kinds() == ("python", "flask", "dockerfile")


def test_schema_enums_equal_the_registry_and_vocabulary():
    """An author adding a kind edits these two enums; this says so if one is missed."""
    props = CHALLENGE["properties"]
    assert tuple(props["kind"]["enum"]) == KIND_NAMES
    assert tuple(props["difficulty"]["enum"]) == DIFFICULTIES
    assert tuple(props["questions"]["items"]["properties"]["type"]["enum"]) == QUESTION_TYPES
    pool = INTERVIEW["$defs"]["pool"]["properties"]
    assert tuple(pool["kinds"]["items"]["enum"]) == KIND_NAMES
    assert tuple(pool["difficulty"]["properties"]["min"]["enum"]) == DIFFICULTIES
    assert tuple(pool["difficulty"]["properties"]["max"]["enum"]) == DIFFICULTIES


@pytest.mark.parametrize("name", KIND_NAMES)
def test_every_kind_declares_the_whole_protocol(name):
    kind = get_kind(name)
    assert kind.name == name
    for attribute in ("needs_sandbox", "builds_images", "hands_on", "pooled", "python_modules",
                      "prompt_file", "probes"):
        assert isinstance(getattr(kind, attribute), bool), attribute
    assert isinstance(kind.required_files, tuple)
    assert all(isinstance(n, str) and n for n in kind.required_files)
    assert callable(kind.grade) and callable(kind.load)
    assert not kind.pooled or kind.needs_sandbox  # a warm pool is of sandboxes
    assert not kind.python_modules or kind.hands_on  # modules are files to write
    assert kind.prompt_file or not kind.hands_on  # a task to write files needs its prompt


@pytest.mark.parametrize("name", KIND_NAMES)
def test_every_kind_loads_its_own_scaffold(name, tmp_path):
    """The kind's load() reads the challenge `lab pack new --kind` writes for it, and
    load_any_challenge goes through it."""
    from click.testing import CliRunner

    from worker.core.kinds import load_any_challenge

    pack = tmp_path / "pack"
    done = CliRunner().invoke(pack_new, ["pack", "--kind", name, "--dest", str(tmp_path)])
    assert done.exit_code == 0, done.output
    checked = CliRunner().invoke(pack_validate, [str(pack)])
    assert checked.exit_code == 0 and f"{pack}: valid (1 challenge)\n" in checked.output, (
        checked.output)
    folder = next(p for p in pack.iterdir() if (p / "challenge.yaml").is_file())
    if name == "quiz":
        # The scaffold's predict-the-output question has no answer: the lab computes it
        # in the sandbox at import.  Only the quiz kind's loader asks for it.
        with pytest.raises(ChallengeError, match="'answer' .* is needed to grade from the folder"):
            load_any_challenge(folder)
        return
    challenge = load_any_challenge(folder)
    assert challenge.kind == name and challenge.path == folder
    assert all(n in challenge.editable for n in get_kind(name).required_files)


@pytest.mark.parametrize("name", KIND_NAMES)
def test_queue_follows_the_kind(name):
    builds = get_kind(name).builds_images
    assert queue_for("run", name) == (queues.BUILD if builds else queues.RUN)
    assert queue_for("submit", name) == (queues.BUILD if builds else queues.SUBMIT)


def test_cli_scaffold_and_interview_pools_offer_every_kind():
    kind_option = next(p for p in pack_new.params if p.name == "kind")
    assert tuple(kind_option.type.choices) == KIND_NAMES
    for name in KIND_NAMES:  # each kind brings its example: one challenge folder
        examples = [p for p in get_kind(name).scaffold.iterdir() if p.is_dir()]
        assert len(examples) == 1 and (examples[0] / "challenge.yaml").is_file(), name
    assert templates.describe_pool({"kinds": list(KIND_NAMES)}) == (
        "python or flask or dockerfile items or quiz questions")


def test_every_kind_module_is_held_apart_by_the_independence_contract():
    pyproject = tomllib.loads((SCHEMAS.parents[1] / "pyproject.toml").read_text())
    contract = next(c for c in pyproject["tool"]["importlinter"]["contracts"]
                    if c["type"] == "independence")
    modules = {type(kind).__module__ for kind in KINDS.values()}
    assert modules == set(contract["modules"])

"""Broken packs are invalid, with a message naming the file (and line, field)."""

import subprocess
import sys

import pytest
import yaml

from lab.pack_validate import validate_pack

CHALLENGE_REQUIRED = ["title", "kind", "difficulty", "topics", "time_estimate_minutes", "hints",
                      "explanation", "editable"]
PACK_REQUIRED = ["name", "version", "title", "description", "authors", "license"]


def messages(folder) -> list[str]:
    return [str(p) for p in validate_pack(folder).problems]


def edit_yaml(path, change):
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


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


def test_hidden_test_without_docstring(good_pack):
    path = good_pack / "word-count" / "tests" / "hidden" / "test_words_hidden.py"
    path.write_text(path.read_text() + "\n\ndef test_undocumented():\n    assert True\n")
    assert any("test_undocumented" in m and "docstring" in m for m in messages(good_pack))


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
    from tests.conftest import ROOT

    for pack_yaml in sorted((ROOT / "challenges").glob("*/pack.yaml")):
        info = validate_pack(pack_yaml.parent)
        assert info.valid, [str(p) for p in info.problems]

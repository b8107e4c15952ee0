import pytest

from tests.helpers import write_challenge
from worker.core.challenge import ChallengeError, load_challenge


def test_loads_a_valid_challenge(tmp_path):
    challenge = load_challenge(write_challenge(tmp_path / "c", limits={"wall_seconds": 3}))
    assert challenge.editable == ("solution.py",)
    assert challenge.limits == {"wall_seconds": 3}


@pytest.mark.parametrize("yaml_text, expected", [
    ("kind: python\neditable: [a.py]\n", "missing field 'title'"),
    ("title: T\neditable: [a.py]\n", "missing field 'kind'"),
    ("title: T\nkind: python\n", "missing field 'editable'"),
    ("title: 3\nkind: python\neditable: [a.py]\n", "field 'title' must be a str"),
    ("title: T\nkind: python\neditable: []\n", "field 'editable' must list file names"),
    ("title: T\nkind: python\neditable: [a.py]\nlimits: {memory: 3}\n", "limits.memory is not a known"),
    ("title: T\nkind: python\neditable: [a.py]\nlimits: {memory_mb: -3}\n", "must be a positive"),
    ("title: [unclosed\n", "not valid YAML"),
    ("- a\n- b\n", "expected a mapping"),
])
def test_broken_challenge_yaml_names_file_and_field(tmp_path, yaml_text, expected):
    root = write_challenge(tmp_path / "c")
    (root / "challenge.yaml").write_text(yaml_text)
    with pytest.raises(ChallengeError) as info:
        load_challenge(root)
    assert expected in str(info.value)
    assert "challenge.yaml" in str(info.value)


def test_missing_test_folder(tmp_path):
    root = write_challenge(tmp_path / "c")
    for item in (root / "tests" / "hidden").iterdir():
        item.unlink()
    (root / "tests" / "hidden").rmdir()
    with pytest.raises(ChallengeError, match="tests/hidden: missing test folder"):
        load_challenge(root)

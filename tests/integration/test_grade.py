"""Grading against the real engine: verdicts for ordinary submissions."""

import json

import pytest

from tests.helpers import EXAMPLES, GOOD_ADD, WRONG_ADD
from worker.core.grading import grade

pytestmark = pytest.mark.docker


@pytest.mark.parametrize("slug", sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()))
def test_bundled_reference_passes_and_starter_fails(slug, docker_client, settings):
    challenge = EXAMPLES / slug
    solution = {p.name: p.read_bytes() for p in (challenge / "solution").iterdir()}
    starter = {p.name: p.read_bytes() for p in (challenge / "starter").iterdir()}
    good = grade(challenge, solution, "submit", settings=settings, client=docker_client)
    assert good.verdict == "passed", good.to_json()
    assert good.score == good.max_score > 0
    assert all(t.visibility == "hidden" and t.outcome == "passed" for t in good.tests)
    bad = grade(challenge, starter, "submit", settings=settings, client=docker_client)
    assert bad.verdict == "failed", bad.to_json()
    assert bad.score < bad.max_score


def test_result_document_shape(make_challenge, grade_text):
    result = grade_text(make_challenge(), WRONG_ADD).to_dict()
    assert {"verdict", "score", "max_score", "tests", "stdout", "duration", "limits"} <= set(result)
    assert result["verdict"] == "failed" and (result["score"], result["max_score"]) == (0, 2)
    for test in result["tests"]:
        assert set(test) >= {"name", "outcome", "message", "duration", "visibility"}
        assert test["outcome"] == "failed" and test["visibility"] == "hidden"
    assert result["tests"][0]["message"] == "Adds two small numbers: wrong answer"
    json.dumps(result)


def test_run_mode_runs_only_public_tests_with_messages(make_challenge, grade_text):
    result = grade_text(make_challenge(), WRONG_ADD, mode="run")
    assert result.verdict == "failed" and result.mode == "run"
    assert [t.name for t in result.tests] == ["test_public_small"]
    assert result.tests[0].visibility == "public"
    assert "assert 0 == 2" in result.tests[0].message
    assert "1 failed" in result.stdout


def test_submit_mode_withholds_output(make_challenge, grade_text):
    result = grade_text(make_challenge(), "print('hello from import')\n" + GOOD_ADD)
    assert result.verdict == "passed"
    assert result.stdout == "" and result.stdout_withheld


def test_syntax_error_gives_error_with_line(make_challenge, grade_text):
    result = grade_text(make_challenge(), "def add(a, b):\n    return a +\n")
    assert result.verdict == "error"
    assert "solution.py, line 2" in result.message
    assert result.max_score == 2 and result.score == 0



@pytest.mark.parametrize("body", ["-" * 60000 + "1", "+".join(["1"] * 60000)])
def test_code_too_deep_to_compile_is_an_error_not_a_crash(body, make_challenge, grade_text):
    """The host's syntax check gives up on these (RecursionError or MemoryError)."""
    result = grade_text(make_challenge(), f"X = {body}\ndef add(a, b):\n    return a + b\n")
    assert result.verdict == "error", result.to_json()
    assert "solution.py" in result.message and "nested too deeply" in result.message

def test_missing_name_is_an_error(make_challenge, grade_text):
    result = grade_text(make_challenge(), "def plus(a, b):\n    return a + b\n")
    assert result.verdict == "error"
    assert "could not import" in result.message and "ImportError" in result.message


def test_missing_name_in_run_mode_shows_the_import_error(make_challenge, grade_text):
    result = grade_text(make_challenge(), "def plus(a, b):\n    return a + b\n", mode="run")
    assert result.verdict == "error" and "cannot import name 'add'" in result.message


@pytest.mark.parametrize("name", ["conftest.py", "pytest.ini", "sitecustomize.py", "x.pth",
                                  "../solution.py", "setup.cfg", "tox.ini", "pyproject.toml",
                                  "usercustomize.py"])
def test_forbidden_files_are_rejected_before_running(make_challenge, docker_client, settings, name):
    from worker.core.sandbox import OWNER_LABEL, owner_id

    events = []
    real_create = docker_client.containers.create
    docker_client.containers.create = lambda *a, **k: events.append(k) or real_create(*a, **k)
    try:
        result = grade(make_challenge(), {"solution.py": GOOD_ADD.encode(), name: b"x = 1\n"},
                       "submit", settings=settings, client=docker_client)
    finally:
        docker_client.containers.create = real_create
    assert result.verdict == "rejected" and repr(name) in result.message
    assert events == []  # no container was even created
    assert not docker_client.containers.list(all=True, filters={"label": f"{OWNER_LABEL}={owner_id()}"})


def test_non_utf8_is_rejected(make_challenge, docker_client, settings):
    result = grade(make_challenge(), {"solution.py": b"x = '\xff'\n"}, "submit",
                   settings=settings, client=docker_client)
    assert result.verdict == "rejected" and "not UTF-8" in result.message


def test_weights_from_challenge_yaml(make_challenge, grade_text):
    challenge = make_challenge(extra_yaml="scoring:\n  points:\n    test_negative: 3\n")
    result = grade_text(challenge, "def add(a, b):\n    return 5\n")
    assert (result.score, result.max_score) == (1, 4)


def test_did_not_raise_is_a_wrong_answer(make_challenge, grade_text):
    hidden = '''
import pytest
from solution import add


def test_rejects_strings():
    """Strings are refused with TypeError"""
    with pytest.raises(TypeError):
        add("a", 1)
'''
    result = grade_text(make_challenge(hidden=hidden), "def add(a, b):\n    return 0\n")
    assert result.tests[0].message == "Strings are refused with TypeError: wrong answer"


COMPARED = '''
import pytest
from solution import add


@pytest.mark.parametrize("a, b, total", [(1, 2, 3), (2, 2, 4)])
def test_sums(a, b, total):
    assert add(a, b) == total


def test_not_equal_is_not_compared():
    assert add(1, 1) > 5
'''


def test_a_failed_public_test_shows_input_expected_and_actual(make_challenge, grade_text):
    """Run: each failed public case says its parameters and both sides of the failed
    `==`; a comparison other than == says none. Submit: hidden tests never carry them."""
    # The candidate's value has a repr that lies and one that is huge: both shown as
    # the text they are, cut to the cap.
    source = ("class Sneaky:\n"
              "    def __repr__(self):\n"
              "        return '<b>' + 'x' * 5000\n"
              "def add(a, b):\n"
              "    return Sneaky()\n")
    challenge = make_challenge(public=COMPARED, hidden=COMPARED)
    result = grade_text(challenge, source, mode="run")
    by_name = {t.name: t for t in result.tests}
    first = by_name["test_sums[1-2-3]"]
    assert first.outcome == "failed"
    assert first.compare["input"] == "a=1, b=2, total=3"
    assert first.compare["expected"] == "3"
    assert first.compare["actual"].startswith("<b>xxx") and len(first.compare["actual"]) <= 300
    assert by_name["test_sums[2-2-4]"].compare["expected"] == "4"
    assert by_name["test_not_equal_is_not_compared"].compare == {}

    hidden = grade_text(challenge, source, mode="submit")
    assert hidden.tests and all(t.visibility == "hidden" and t.compare == {} for t in hidden.tests)

"""The judge grades any suite pytest collects: unittest.TestCase classes of any name,
tests without docstrings, fixtures, parametrize, skip and xfail marks, with their usual
meaning (a skipped test is not counted either way; an xfail test is never scored)."""

import pytest

from lab.packs.validate import validate_pack
from tests.helpers import write_challenge

pytestmark = pytest.mark.docker

UNITTEST_SUITE = '''
import unittest

from solution import add


class AdditionTest(unittest.TestCase):
    def setUp(self):
        self.pairs = [(2, 3, 5), (-4, 1, -3)]

    def test_adds_pairs(self):
        for a, b, total in self.pairs:
            self.assertEqual(add(a, b), total)

    def test_is_commutative(self):
        self.assertEqual(add(7, 9), add(9, 7))

    @unittest.skip("kept for a later version of the task")
    def test_adds_three(self):
        self.assertEqual(add(1, 2, 3), 6)


class Other(unittest.TestCase):
    def test_zero_is_neutral(self):
        """Adding zero changes nothing"""
        self.assertEqual(add(11, 0), 11)
'''
PYTEST_SUITE = '''
import pytest

from solution import add


@pytest.fixture
def ten():
    return 10


@pytest.mark.parametrize("a, b", [(1, 2), (5, 5)])
def test_with_a_fixture(ten, a, b):
    assert add(a, ten) - b == a + ten - b


@pytest.mark.skipif(True, reason="not on this platform")
def test_never_runs():
    assert add(1, 1) == 3


@pytest.mark.xfail(reason="floats are out of scope", strict=False)
def test_floats():
    assert add(0.1, 0.2) == 0.3
'''


@pytest.fixture
def suites(tmp_path):
    root = write_challenge(tmp_path / "c", hidden=PYTEST_SUITE, public=UNITTEST_SUITE)
    (root / "tests" / "hidden" / "cases_test.py").write_text(UNITTEST_SUITE)
    return root


def test_unittest_classes_and_marks_are_graded_as_pytest_means_them(suites, grade_text):
    result = grade_text(suites, "def add(a, b):\n    return a + b\n")
    by_name = {t.name: t for t in result.tests}
    assert result.verdict == "passed", result.to_json()
    # Scored: the two parametrized cases (one function), and three unittest methods.
    assert result.score == result.max_score == 4
    assert by_name["AdditionTest::test_adds_three"].outcome == "skipped"
    assert by_name["AdditionTest::test_adds_three"].points == 0
    assert by_name["test_never_runs"].outcome == "skipped"
    assert by_name["test_floats"].outcome == "skipped"
    assert "expected to fail" in by_name["test_floats"].message
    assert {"AdditionTest::test_adds_pairs", "AdditionTest::test_is_commutative",
            "Other::test_zero_is_neutral", "test_with_a_fixture[1]",
            "test_with_a_fixture[2]"} <= set(by_name)


def test_without_a_docstring_the_intent_is_the_name_in_words(suites, grade_text):
    result = grade_text(suites, "def add(a, b):\n    return a - b\n")
    by_name = {t.name: t for t in result.tests}
    assert result.verdict == "failed"
    assert by_name["AdditionTest::test_adds_pairs"].message == "adds pairs: wrong answer"
    assert by_name["Other::test_zero_is_neutral"].outcome == "passed"
    assert result.score == 1 and result.max_score == 4  # only 11 - 0 == 11 holds


def test_a_public_unittest_run_shows_pytests_report(suites, grade_text):
    result = grade_text(suites, "def add(a, b):\n    return a + b + 1\n", mode="run")
    assert result.verdict == "failed"
    assert "AssertionError" in result.tests[0].message
    assert "failed" in result.stdout and "skipped" in result.stdout


def test_validation_accepts_the_suite(suites, tmp_path):
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "pack.yaml").write_text("name: suites\nversion: 1\ntitle: Suites\ndescription: x\n"
                                    "authors: [x]\nlicense: CC-BY-4.0\n")
    suites.rename(pack / "adds")
    meta = pack / "adds" / "challenge.yaml"
    meta.write_text(meta.read_text() + "difficulty: easy\ntopics: [py.types]\n"
                    "time_estimate_minutes: 5\nhints: [Add them.]\nexplanation: It adds.\n")
    problems = [str(p) for p in validate_pack(pack).problems]
    assert not any("docstring" in p or "no tests" in p for p in problems), problems

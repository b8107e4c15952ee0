import pytest

from worker.core.testids import base_of, expected_tests


def test_functions_and_class_methods_with_intent():
    source = b'''
def test_a():
    """First line of intent
    more"""

def helper():
    pass

class TestGroup:
    def test_b(self):
        pass

class Helper:
    def test_c(self):
        pass
'''
    found = expected_tests({"tests/hidden/test_x.py": source, "tests/hidden/data.py": b"x=1"})
    assert set(found) == {"tests/hidden/test_x.py::test_a", "tests/hidden/test_x.py::TestGroup::test_b"}
    assert found["tests/hidden/test_x.py::test_a"].intent == "First line of intent"


def test_unittest_cases_of_any_name_and_intent_from_the_name():
    source = b'''
import unittest
from unittest import TestCase

class WordCountTest(unittest.TestCase):
    def test_counts_words(self):
        pass

    def helper(self):
        pass

class Other(TestCase):
    def test_other(self):
        """Says why"""

class TestWithInit:
    def __init__(self):
        pass

    def test_never_collected(self):
        pass
'''
    found = expected_tests({"tests/hidden/words_test.py": source})
    assert set(found) == {"tests/hidden/words_test.py::WordCountTest::test_counts_words",
                          "tests/hidden/words_test.py::Other::test_other"}
    assert found["tests/hidden/words_test.py::WordCountTest::test_counts_words"].intent == "counts words"
    assert found["tests/hidden/words_test.py::Other::test_other"].intent == "Says why"


def test_syntax_error_names_file_and_line():
    with pytest.raises(SyntaxError) as info:
        expected_tests({"tests/hidden/test_bad.py": b"def test_x(:\n"})
    assert info.value.filename == "tests/hidden/test_bad.py" and info.value.lineno == 1


def test_base_of_strips_parameters():
    assert base_of("t.py::test_x[1-[2]]") == "t.py::test_x"

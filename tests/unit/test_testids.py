import pytest

from worker.testids import base_of, expected_tests


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


def test_syntax_error_names_file_and_line():
    with pytest.raises(SyntaxError) as info:
        expected_tests({"tests/hidden/test_bad.py": b"def test_x(:\n"})
    assert info.value.filename == "tests/hidden/test_bad.py" and info.value.lineno == 1


def test_base_of_strips_parameters():
    assert base_of("t.py::test_x[1-[2]]") == "t.py::test_x"

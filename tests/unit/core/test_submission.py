import pytest

from worker.core.submission import Rejected, check_submission, name_problem

EDITABLE = ("solution.py", "helpers.py")
STARTER = {"solution.py": b"x = 1\n", "helpers.py": b"y = 2\n"}


def check(files):
    return check_submission(files, EDITABLE, STARTER, max_file_kb=4, max_submission_kb=6)


@pytest.mark.parametrize("name", [
    "conftest.py", "pytest.ini", "setup.cfg", "tox.ini", "pyproject.toml",
    "sitecustomize.py", "usercustomize.py", "evil.pth", "../solution.py", "a/b.py",
    "..", "a\\b.py", ".hidden.py", "", "x\x00.py", "json.py", "pytest.py", "lab_results.py",
])
def test_forbidden_names_are_refused_with_the_name(name):
    with pytest.raises(Rejected) as info:
        check({name: b"pass\n"})
    assert repr(name) in str(info.value)
    assert name_problem(name) or "not an editable file" in str(info.value)


def test_undeclared_file_names_the_editable_ones():
    with pytest.raises(Rejected, match=r"'other.py': not an editable file .*solution.py, helpers.py"):
        check({"other.py": b"pass\n"})


def test_non_utf8_content_names_offset():
    with pytest.raises(Rejected, match=r"'solution.py': not UTF-8 text \(invalid byte at offset 3\)"):
        check({"solution.py": b"abc\xff\xfe"})


def test_nul_byte_is_refused():
    with pytest.raises(Rejected, match="NUL"):
        check({"solution.py": b"a\x00b"})


def test_file_over_cap():
    with pytest.raises(Rejected, match=r"'solution.py': 5000 bytes is over the 4 KiB limit"):
        check({"solution.py": b"#" * 5000})


def test_total_over_cap():
    with pytest.raises(Rejected, match="over the 6 KiB limit"):
        check({"solution.py": b"#" * 4000, "helpers.py": b"#" * 4000})


def test_missing_editable_files_come_from_the_starter():
    merged = check({"solution.py": b"x = 2\n"})
    assert merged == {"solution.py": b"x = 2\n", "helpers.py": b"y = 2\n"}

"""A valid pack to break in many ways."""

import shutil

import pytest

from lab.packs.scaffold import scaffold


@pytest.fixture
def good_pack(tmp_path):
    """A valid pack with one python and one quiz challenge."""
    folder = scaffold("sample", "python", tmp_path)
    quiz = scaffold("quizpack", "quiz", tmp_path / "q")
    shutil.copytree(quiz / "basics-quiz", folder / "basics-quiz")
    return folder

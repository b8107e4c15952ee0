"""`lab grade` as a user runs it: exit codes, JSON on stdout only, clear errors."""

import json
import os
import subprocess
import sys

import pytest

from tests.helpers import EXAMPLES, GOOD_ADD, WRONG_ADD

pytestmark = pytest.mark.docker
RETRY = EXAMPLES / "retry-decorator"


def lab(*args, env=None, timeout=120):
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "lab.cli", *map(str, args)], capture_output=True,
                          text=True, env=full_env, timeout=timeout)


def submission(tmp_path, text, name="solution.py"):
    folder = tmp_path / "sub"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text)
    return folder


def test_passed_json_is_the_only_stdout(docker_client, tmp_path):
    proc = lab("grade", RETRY, RETRY / "solution", "--mode", "submit", "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["verdict"] == "passed" and result["score"] == result["max_score"]


def test_failed_exits_1_with_table(docker_client, tmp_path):
    proc = lab("grade", RETRY, RETRY / "starter")
    assert proc.returncode == 1
    assert "FAILED" in proc.stdout and "score" in proc.stdout


def test_run_mode_table_says_public_only(docker_client, make_challenge, tmp_path):
    proc = lab("grade", make_challenge(), submission(tmp_path, GOOD_ADD), "--mode", "run")
    assert proc.returncode == 0
    assert "public tests only" in proc.stdout


def test_single_file_submission(docker_client, make_challenge, tmp_path):
    sub = submission(tmp_path, WRONG_ADD)
    proc = lab("grade", make_challenge(), sub / "solution.py", "--json")
    assert proc.returncode == 1 and json.loads(proc.stdout)["verdict"] == "failed"


@pytest.mark.parametrize("args, words", [
    ((), "Usage"),
    (("grade",), "Missing argument"),
    (("grade", RETRY, RETRY / "solution", "--mode", "fast"), "'fast' is not one of"),
    (("grade", "/nonexistent/challenge", RETRY / "solution"), "does not exist"),
])
def test_usage_errors_exit_2(args, words):
    proc = lab(*args)
    assert proc.returncode == 2
    assert words in proc.stderr + proc.stdout


def test_broken_challenge_exits_2_naming_the_file(make_challenge, tmp_path):
    challenge = make_challenge()
    (challenge / "challenge.yaml").write_text("title: x\nkind: python\n")
    proc = lab("grade", challenge, submission(tmp_path, GOOD_ADD))
    assert proc.returncode == 2
    assert "challenge.yaml: missing field 'editable'" in proc.stderr


def test_bad_setting_exits_2(make_challenge, tmp_path):
    proc = lab("grade", make_challenge(), submission(tmp_path, GOOD_ADD),
               env={"LAB_MEMORY_MB": "plenty"})
    assert proc.returncode == 2 and "LAB_MEMORY_MB" in proc.stderr


def test_no_engine_is_infra_error_exit_3(make_challenge, tmp_path):
    proc = lab("grade", make_challenge(), submission(tmp_path, GOOD_ADD), "--json",
               env={"DOCKER_HOST": "unix:///nonexistent/docker.sock"})
    assert proc.returncode == 3
    result = json.loads(proc.stdout)
    assert result["verdict"] == "infra_error" and "dockerd" in result["message"]


def test_missing_image_is_infra_error_exit_3(docker_client, make_challenge, tmp_path):
    proc = lab("grade", make_challenge(), submission(tmp_path, GOOD_ADD),
               env={"LAB_RUNNER_IMAGE": "lab-runner-python:does-not-exist"})
    assert proc.returncode == 3
    assert "lab images build" in proc.stderr


@pytest.mark.parametrize("name", ["conftest.py", "pytest.ini", "sitecustomize.py"])
def test_forbidden_file_in_folder_is_rejected(docker_client, make_challenge, tmp_path, name):
    sub = submission(tmp_path, GOOD_ADD)
    (sub / name).write_text("x = 1\n")
    proc = lab("grade", make_challenge(), sub, "--json")
    assert proc.returncode == 1
    result = json.loads(proc.stdout)
    assert result["verdict"] == "rejected" and name in result["message"]


def test_subfolder_or_symlink_is_rejected(docker_client, make_challenge, tmp_path):
    sub = submission(tmp_path, GOOD_ADD)
    (sub / "pkg").mkdir()
    proc = lab("grade", make_challenge(), sub, "--json")
    assert json.loads(proc.stdout)["verdict"] == "rejected" and "pkg/" in proc.stdout
    (sub / "pkg").rmdir()
    (sub / "link.py").symlink_to("/etc/passwd")
    proc = lab("grade", make_challenge(), sub, "--json")
    assert json.loads(proc.stdout)["verdict"] == "rejected" and "symbolic link" in proc.stdout


QUIZ = EXAMPLES.parent / "quiz-python-flask" / "python-testing-basics"
NO_ENGINE = {"DOCKER_HOST": "unix:///nonexistent/docker.sock"}


def test_quiz_is_graded_from_answers_json_without_an_engine(tmp_path):
    answers = {"fixture-scope-default": 0, "yield-fixture-teardown": "open\ntest uses 42\nclose",
               "parametrize-count": "6", "patch-where-used": 1, "test-client-practices": [0, 1, 3],
               "red-green": 1}
    sub = submission(tmp_path, json.dumps(answers), name="answers.json")
    proc = lab("grade", QUIZ, sub, "--json", env=NO_ENGINE)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["verdict"] == "passed" and (result["score"], result["max_score"]) == (6, 6)
    (sub / "answers.json").write_text(json.dumps({**answers, "red-green": 0}))
    proc = lab("grade", QUIZ, sub / "answers.json", env=NO_ENGINE)
    assert proc.returncode == 1 and "FAIL  red-green" in proc.stdout and "5 of 6" in proc.stdout


def test_unreadable_quiz_answers_are_rejected(tmp_path):
    sub = submission(tmp_path, '{"red-green": 1', name="answers.json")
    proc = lab("grade", QUIZ, sub, "--json", env=NO_ENGINE)
    assert proc.returncode == 1
    result = json.loads(proc.stdout)
    assert result["verdict"] == "rejected" and "answers.json: not valid JSON" in result["message"]


def test_quiz_without_a_predict_key_exits_2_naming_the_question(tmp_path):
    quiz = tmp_path / "quiz"
    quiz.mkdir()
    (quiz / "challenge.yaml").write_text(
        "title: Q\nkind: quiz\nquestions:\n  - id: out\n    type: predict\n"
        "    prompt: What does this print?\n    snippet: print(2)\n")
    proc = lab("grade", quiz, submission(tmp_path, "{}", name="answers.json"), env=NO_ENGINE)
    assert proc.returncode == 2
    assert "challenge.yaml: questions.0 (out):" in proc.stderr and "lab pack verify" in proc.stderr

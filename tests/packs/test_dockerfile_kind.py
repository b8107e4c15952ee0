"""The dockerfile kind against the real engine: allow-listed bases only, no network at
build time, caps, cleanup, and the ordinary verdicts."""

import pytest

from lab.config import Limits, Settings
from lab.pack_scaffold import scaffold
from worker.dockerfile_kind import check_dockerfile
from worker.grading import grade

pytestmark = pytest.mark.docker
APP = b"print('hello from the image')\n"
GOOD = b'FROM lab/python\nCOPY app.py /app/app.py\nUSER 10001\nCMD ["python3", "/app/app.py"]\n'


@pytest.fixture
def challenge(tmp_path):
    folder = scaffold("dk", "dockerfile", tmp_path)
    return folder / "non-root-image"


def run(challenge, dockerfile: bytes, client, mode="submit"):
    settings = Settings(limits=Limits(wall_seconds=3, cpu_seconds=3))
    return grade(challenge, {"Dockerfile": dockerfile, "app.py": APP}, mode, settings=settings,
                 client=client)


@pytest.mark.parametrize("text, words", [
    ("FROM python:3.12-slim\n", "FROM python:3.12-slim is not allowed"),
    ("FROM ubuntu AS build\nFROM build\n", "FROM ubuntu is not allowed"),
    ("ARG BASE=lab/python\nFROM ${BASE}\n", "may not use build arguments"),
    ("FROM lab/python\nCOPY --from=alpine /etc/passwd /x\n", "may only name an earlier stage"),
    ("FROM lab/python\nADD https://example.com/x /x\n", "ADD from a URL"),
    ("FROM --platform=linux/arm64 lab/python\n", "--platform"),
    ("RUN echo hi\n", "must start with FROM"),
    ("", "no FROM line"),
])
def test_refused_dockerfiles(text, words):
    assert words in (check_dockerfile(text) or "")


def test_allowed_dockerfiles():
    assert check_dockerfile("FROM lab/python AS build\nRUN true\nFROM lab/python:latest\n"
                            "COPY --from=build /etc/hostname /x\n") is None


def test_disallowed_base_is_rejected_without_building(challenge, docker_client):
    result = run(challenge, b"FROM python:3.12-slim\nCMD [\"python3\"]\n", docker_client)
    assert result.verdict == "rejected" and "lab/python" in result.message


def test_build_error_shows_the_log(challenge, docker_client):
    result = run(challenge, b"FROM lab/python\nRUN echo about-to-fail && false\n", docker_client)
    assert result.verdict == "error" and "did not build" in result.message
    assert "about-to-fail" in result.message


def test_no_network_during_the_build(challenge, docker_client):
    probe = (b"FROM lab/python\nRUN python3 -c \"import socket; "
             b"socket.create_connection(('1.1.1.1', 53), timeout=2)\"\n")
    result = run(challenge, probe, docker_client)
    assert result.verdict == "error" and "did not build" in result.message


def test_endless_build_step_times_out(challenge, docker_client):
    result = run(challenge, b"FROM lab/python\nRUN sleep 600\n", docker_client)
    assert result.verdict == "timeout" and "the build took longer than 10 s" in result.message


def test_good_image_passes_and_nothing_is_left(challenge, docker_client):
    from worker.sandbox import OWNER_LABEL, owner_id

    result = run(challenge, GOOD, docker_client)
    assert result.verdict == "passed", result.message
    mine = {"label": f"{OWNER_LABEL}={owner_id()}"}
    assert docker_client.images.list(filters=mine) == []
    assert not docker_client.containers.list(all=True, filters={"label": f"{OWNER_LABEL}={owner_id()}"})


def test_root_image_fails_the_hidden_test(challenge, docker_client):
    result = run(challenge, b'FROM lab/python\nCOPY app.py /app/app.py\nCMD ["python3", "/app/app.py"]\n',
                 docker_client)
    assert result.verdict == "failed"
    failed = [t for t in result.tests if t.outcome != "passed"]
    assert [t.name for t in failed] == ["test_not_root"]
    assert failed[0].message == "The image runs as a user other than root: wrong answer"


def test_probe_that_cannot_start_is_a_fact_not_an_engine_error(tmp_path, docker_client):
    folder = scaffold("dk2", "dockerfile", tmp_path) / "non-root-image"
    meta = folder / "challenge.yaml"
    meta.write_text(meta.read_text().replace("exec: [python3, /app/app.py]", "exec: [Ada]"))
    result = run(folder, GOOD, docker_client)
    assert result.verdict == "failed", result.message  # the probe test fails; no infra_error
    assert [t.name for t in result.tests if t.outcome != "passed"] == ["test_prints_greeting"]

"""The dockerfile kind against the real engine: allow-listed bases only, no network at
build time, caps, cleanup, and the ordinary verdicts."""

import time
import uuid
from pathlib import Path

import docker.errors
import pytest

import worker.core.kinds.dockerfile
from lab.packs.scaffold import scaffold
from tests.helpers import sandbox_settings
from worker.core.config import Limits
from worker.core.grading import grade
from worker.core.images import runner_image_tag
from worker.core.kinds.dockerfile import check_dockerfile

pytestmark = pytest.mark.docker
APP = b"print('hello from the image')\n"
GOOD = b'FROM lab/python\nCOPY app.py /app/app.py\nUSER 10001\nCMD ["python3", "/app/app.py"]\n'


@pytest.fixture
def challenge(tmp_path):
    folder = scaffold("dk", "dockerfile", tmp_path)
    return folder / "non-root-image"


def run(challenge, dockerfile: bytes, client, mode="submit"):
    settings = sandbox_settings(limits=Limits(wall_seconds=3, cpu_seconds=3))
    return grade(challenge, {"Dockerfile": dockerfile, "app.py": APP}, mode, settings=settings,
                 client=client)


@pytest.mark.parametrize("text, words", [
    ("FROM python:3.12-slim\n", "FROM python:3.12-slim is not allowed"),
    ("FROM ubuntu AS build\nFROM build\n", "FROM ubuntu is not allowed"),
    ("ARG BASE=lab/python\nFROM ${BASE}\n", "may not use build arguments"),
    ("FROM lab/python\nCOPY --from=alpine /etc/passwd /x\n", "may only name an earlier stage"),
    ("FROM lab/python\nADD https://example.com/x /x\n", "line 2: ADD may only copy files"),
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
    from worker.core.sandbox import OWNER_LABEL, owner_id

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


# --- Every image a build makes is removed, whatever happens -----------------------------
# The engine is shared with other tests running at the same time, so "nothing left" is
# checked two ways that only see this test's build: the ids its stream reported (caught
# by a spy on the cleanup) are gone, and no image or container carries the ENV mark that
# follows each FROM of the test's Dockerfile (every step image of that stage has it).

BUNDLED = Path(__file__).resolve().parents[2] / "challenges" / "docker-images" / "multistage-catalog"


@pytest.fixture
def builds(monkeypatch):
    """The `Build` of every grade call, once its cleanup has run."""
    seen = []
    original = worker.core.kinds.dockerfile.remove_build_images

    def spy(client, build, tag, **kwargs):
        try:
            return original(client, build, tag, **kwargs)
        finally:
            seen.append(build)

    monkeypatch.setattr(worker.core.kinds.dockerfile, "remove_build_images", spy)
    return seen


@pytest.fixture
def mark():
    return f"LAB_TEST_MARK={uuid.uuid4().hex}"


def marked(client, mark: str, since: float) -> list[str]:
    """Images made since `since` and containers whose environment holds `mark`."""
    found = []
    for image in client.api.images(all=True):
        if image.get("Created", 0) >= since - 2:
            try:
                env = (client.api.inspect_image(image["Id"]).get("Config") or {}).get("Env") or []
            except docker.errors.NotFound:
                continue
            found += [image["Id"]] if mark in env else []
    for container in client.api.containers(all=True):
        try:
            env = (client.api.inspect_container(container["Id"]).get("Config") or {}).get("Env") or []
        except docker.errors.NotFound:
            continue
        found += [container["Id"]] if mark in env else []
    return found


def assert_reported_images_gone(client, build, at_least: int, besides: tuple = ()) -> None:
    """The images `build`'s stream reported (but the base, and `besides`) no longer exist."""
    base = client.images.get(runner_image_tag("python")).id

    def same(full: str, short: str) -> bool:
        return full.split(":")[-1].startswith(short.split(":")[-1])

    made = {i for i in [*build.reported, *build.trusted] if not any(same(x, i) for x in (base, *besides))}
    assert len(made) >= at_least, f"the stream reported only {sorted(made)}"
    for image in made:
        with pytest.raises(docker.errors.ImageNotFound):
            client.images.get(image)
    assert client.images.get("lab/python").id == base  # the base and its alias stay


def test_multistage_build_leaves_no_images(challenge, docker_client, builds, mark):
    started = time.time()
    dockerfile = (f"FROM lab/python AS build\nENV {mark}\nWORKDIR /build\n"
                  f"RUN echo made-in-build > greeting.txt\nRUN true\n"
                  f"FROM lab/python\nENV {mark}\nCOPY app.py /app/app.py\n"
                  f"COPY --from=build /build/greeting.txt /app/\nUSER 10001\n"
                  f'CMD ["python3", "/app/app.py"]\n').encode()
    result = run(challenge, dockerfile, docker_client)
    assert result.verdict == "passed", result.message
    [build] = builds
    assert len(build.trusted) == 2  # one `aux` ID per stage: the build stage's was seen
    assert_reported_images_gone(docker_client, build, at_least=9)
    assert marked(docker_client, mark, started) == []


def test_bundled_multistage_solution_leaves_no_images(docker_client, builds):
    files = {p.name: p.read_bytes() for p in (BUNDLED / "solution").iterdir()}
    result = grade(BUNDLED, files, "submit",
                   settings=sandbox_settings(limits=Limits(wall_seconds=5)), client=docker_client)
    assert result.verdict == "passed", result.message
    [build] = builds
    assert len(build.trusted) == 2
    assert_reported_images_gone(docker_client, build, at_least=7)


def test_build_failing_at_a_later_step_leaves_no_images(challenge, docker_client, builds, mark):
    started = time.time()
    dockerfile = (f"FROM lab/python\nENV {mark}\nWORKDIR /app\nCOPY app.py .\n"
                  f"RUN echo step-five-ran\nRUN echo about-to-fail && false\n").encode()
    result = run(challenge, dockerfile, docker_client)
    assert result.verdict == "error" and "about-to-fail" in result.message
    [build] = builds
    assert_reported_images_gone(docker_client, build, at_least=4)
    assert marked(docker_client, mark, started) == []


def test_chatty_build_is_stopped_at_its_deadline_and_leaves_nothing(challenge, docker_client, builds,
                                                                     mark):
    """A step that keeps printing never trips the socket timeout: the deadline's kill
    stops it, and the images of the steps before it are removed."""
    started = time.time()
    dockerfile = (f"FROM lab/python\nENV {mark}\nRUN echo first\n"
                  f"RUN while true; do echo tick; sleep 0.2; done\n").encode()
    result = run(challenge, dockerfile, docker_client)
    assert result.verdict == "timeout" and "the build took longer than 10 s" in result.message
    assert time.time() - started < 25
    [build] = builds
    assert_reported_images_gone(docker_client, build, at_least=2)
    deadline = time.time() + 10  # the engine removes the killed step's container itself
    while marked(docker_client, mark, started) and time.time() < deadline:
        time.sleep(0.5)
    assert marked(docker_client, mark, started) == []


@pytest.mark.parametrize("when", ["before-the-step-starts", "while-the-step-runs"])
def test_exception_mid_build_still_removes_everything(challenge, docker_client, builds, mark,
                                                     monkeypatch, when):
    """Anything raised while the build streams (a task's soft time limit, say) stops the
    engine's build and removes what it made so far, even when the step container that
    holds the last image is still running (here the kill that would stop it is skipped)."""
    started = time.time()
    read = worker.core.kinds.dockerfile.Build._read
    state = {"sleep-step": False}

    def interrupted(self, chunk):
        text = str(chunk.get("stream", ""))
        outcome = read(self, chunk)
        if state["sleep-step"] and (when == "before-the-step-starts" or "Running in" in text):
            raise KeyboardInterrupt("the worker is shutting down")
        state["sleep-step"] |= "sleep 30" in text
        return outcome

    monkeypatch.setattr(worker.core.kinds.dockerfile.Build, "_read", interrupted)
    if when == "while-the-step-runs":
        monkeypatch.setattr(worker.core.kinds.dockerfile.Build, "_kill", lambda self: None)
    dockerfile = f"FROM lab/python\nENV {mark}\nRUN echo first\nRUN sleep 30\n".encode()
    with pytest.raises(KeyboardInterrupt):
        run(challenge, dockerfile, docker_client)
    [build] = builds
    assert not build.finished
    assert_reported_images_gone(docker_client, build, at_least=2)
    deadline = time.time() + 10  # the engine removes its own step container as it stops
    while marked(docker_client, mark, started) and time.time() < deadline:
        time.sleep(0.5)
    assert marked(docker_client, mark, started) == []
    assert time.time() - started < 25  # the step's container was stopped, not waited for


def test_spoofed_step_lines_remove_no_one_elses_image(challenge, docker_client, builds):
    """A RUN step can print ` ---> <id>`; only images this build made are removed."""
    runner = docker_client.images.get(runner_image_tag("python"))
    holder = docker_client.api.create_container(runner.id, ["true"], network_disabled=True)
    victims = []
    try:
        name = f"lab-test-victim-{uuid.uuid4().hex[:8]}"
        victims.append(docker_client.api.commit(holder["Id"], repository=name, tag="latest")["Id"])
        victims.append(docker_client.api.commit(holder["Id"])["Id"])  # untagged, made earlier
        time.sleep(3)  # older than the build, beyond the engine clock's slack
        lines = " && ".join(f"echo ' ---> {i.split(':')[1][:12]}'" for i in [*victims, runner.id])
        result = run(challenge, f"FROM lab/python\nRUN {lines}\nRUN false\n".encode(), docker_client)
        assert result.verdict == "error"
        [build] = builds
        assert {v.split(":")[1][:12] for v in victims} <= set(build.reported)  # the spoof was read
        for victim in victims:
            docker_client.images.get(victim)  # still there
        assert docker_client.images.get("lab/python").id == runner.id
        assert_reported_images_gone(docker_client, build, at_least=1, besides=tuple(victims))
    finally:
        docker_client.api.remove_container(holder["Id"], force=True)
        for victim in victims:
            try:
                docker_client.api.remove_image(victim, force=True)
            except docker.errors.NotFound:
                pass


def test_dockerfile_the_engine_cannot_parse_is_an_error_not_an_infra_error(challenge, docker_client):
    result = run(challenge, b"FROM lab/python\nHEALTHCHECK --interval=banana CMD true\n", docker_client)
    assert result.verdict == "error" and "banana" in result.message, result.message


def test_unknown_instruction_is_refused_with_its_line(challenge, docker_client):
    result = run(challenge, b"FROM lab/python\nFOO bar\n", docker_client)
    assert result.verdict == "rejected" and "line 2: unknown instruction 'FOO'" in result.message

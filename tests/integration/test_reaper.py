"""Leftover containers and candidate images of a killed grader are found by label and
removed; nothing else is."""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid

import docker.errors
import pytest

from tests.helpers import GOOD_ADD
from worker.core.images import runner_image_tag
from worker.core.reaper import reap, reap_images
from worker.core.sandbox import LABEL, OWNER_LABEL, STARTED_LABEL, owner_id

pytestmark = pytest.mark.docker


def labelled(client, pid=None):
    """Sandbox containers (of one grader process, if pid is given); sparse listing, since
    other graders may remove theirs while we look."""
    found = client.containers.list(all=True, sparse=True, filters={"label": f"{LABEL}=1"})
    if pid is None:
        return found
    return [c for c in found if (c.attrs.get("Labels") or {}).get(OWNER_LABEL, "").endswith(f":{pid}")]


def test_killed_grader_leaves_a_container_the_reaper_removes(docker_client, make_challenge,
                                                             tmp_path):
    challenge = make_challenge(limits={"wall_seconds": 30})
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "solution.py").write_text("import time\ndef add(a, b):\n    time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-m", "lab.cli", "grade", str(challenge), str(sub)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.time() + 30
        while time.time() < deadline and not labelled(docker_client, proc.pid):
            time.sleep(0.1)
        time.sleep(0.5)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        left = labelled(docker_client, proc.pid)
        assert left, "the killed grader should have left its container behind"
        reap(docker_client, max_age_seconds=3600)
        # Gone, by this reap or by a running lab's sweeper that got there first.
        assert labelled(docker_client, proc.pid) == []
    finally:
        if proc.poll() is None:
            proc.kill()


def test_old_containers_are_reaped_even_if_owner_lives(docker_client):
    container = docker_client.containers.create(
        runner_image_tag("python"), ["true"], network_mode="none",
        labels={LABEL: "1", OWNER_LABEL: owner_id(), STARTED_LABEL: f"{time.time() - 7200:.0f}"})
    fresh = docker_client.containers.create(
        runner_image_tag("python"), ["true"], network_mode="none",
        labels={LABEL: "1", OWNER_LABEL: owner_id(), STARTED_LABEL: f"{time.time():.0f}"})
    try:
        removed = reap(docker_client, max_age_seconds=600)
        assert fresh.short_id not in removed
        fresh.reload()  # still there
        # Gone, by this reap or by a running lab's sweeper that got there first.
        with pytest.raises(docker.errors.NotFound):
            container.reload()
    finally:
        for leftover in (fresh, container):
            try:
                leftover.remove(force=True)
            except docker.errors.NotFound:
                pass


def test_grading_after_reap_is_normal(make_challenge, grade_text, docker_client):
    reap(docker_client, max_age_seconds=600)
    assert grade_text(make_challenge(), GOOD_ADD).verdict == "passed"


def test_leftover_candidate_images_are_reaped_and_no_others(docker_client):
    """Images labelled by us and named `lab-candidate-*` go when old or when their owner
    is dead; a fresh one of a live owner stays, and so does anything not both ours."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    now = time.time()
    mine = {LABEL: "1", OWNER_LABEL: owner_id()}
    cases = {  # name: (tag prefix, labels, reaped?)
        "old": ("lab-candidate-", {**mine, STARTED_LABEL: f"{now - 7200:.0f}"}, True),
        "dead": ("lab-candidate-", {**mine, OWNER_LABEL: f"{socket.gethostname()}:{dead.pid}",
                                    STARTED_LABEL: f"{now:.0f}"}, True),
        "fresh": ("lab-candidate-", {**mine, STARTED_LABEL: f"{now:.0f}"}, False),
        "foreign-name": ("lab-test-other-", {**mine, STARTED_LABEL: f"{now - 7200:.0f}"}, False),
        "unlabelled": ("lab-candidate-", {OWNER_LABEL: owner_id(), STARTED_LABEL: f"{now - 7200:.0f}"},
                       False),
    }
    holder = docker_client.api.create_container(runner_image_tag("python"), ["true"], network_disabled=True)
    made = {}
    try:
        for case, (prefix, labels, _) in cases.items():
            repo = f"{prefix}{case}-{uuid.uuid4().hex[:8]}"
            made[case] = docker_client.api.commit(holder["Id"], repository=repo, tag="latest",
                                                  conf={"Labels": labels})["Id"]
        removed = reap_images(docker_client, max_age_seconds=600)
        for case, (_, _, reaped) in cases.items():
            if reaped:  # gone, by this reap or by a running lab's sweeper that got there first
                with pytest.raises(docker.errors.ImageNotFound):
                    docker_client.images.get(made[case])
            else:
                assert made[case] not in removed
                docker_client.images.get(made[case])  # still there
        docker_client.images.get(runner_image_tag("python"))
    finally:
        docker_client.api.remove_container(holder["Id"], force=True)
        for image in made.values():
            try:
                docker_client.api.remove_image(image, force=True)
            except docker.errors.NotFound:
                pass

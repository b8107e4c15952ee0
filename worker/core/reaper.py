"""Removes sandbox containers left behind by a crashed or killed grading process.

A container is a leftover when the process that made it (label `owner`, host:pid) is
gone from this host, or when it is older than `reap_after_seconds` whoever owns it.
Called when a grading process starts and periodically by long-running workers.

Warm pool containers (label `interview-lab.pool`) follow the same rules: their pool
recycles them before `reap_after_seconds`, so only those of a dead owner, or of an owner
on another machine whose pool stopped working, are ever removed here.

Candidate images (worker/core/kinds/dockerfile_build.py) are removed by the grader that built
them; one a killed grader left behind carries our label and a `lab-candidate-` tag, and
the same two rules apply to it.  Images without both marks are never touched.
"""

from __future__ import annotations

import os
import socket
import time

import docker
import docker.errors

from worker.core.kinds.dockerfile_build import CANDIDATE_TAG_PREFIX
from worker.core.sandbox import LABEL, OWNER_LABEL, STARTED_LABEL


def _owner_alive(owner: str) -> bool:
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname():
        return True  # another machine's worker: only age can tell
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True
    return True


def _leftover(labels: dict, created: float, max_age_seconds: float, now: float) -> bool:
    try:
        started = float(labels.get(STARTED_LABEL, created))
    except ValueError:
        return True
    return now - started > max_age_seconds or not _owner_alive(labels.get(OWNER_LABEL, ""))


def reap(client: docker.DockerClient, max_age_seconds: float) -> list[str]:
    """Remove leftover sandbox containers, then leftover candidate images
    (`reap_images`); returns the short ids of the containers removed."""
    removed = []
    now = time.time()
    # sparse: no per-container inspect, which would race with graders removing theirs.
    for container in client.containers.list(all=True, sparse=True,
                                            filters={"label": f"{LABEL}=1"}):
        if _leftover(container.attrs.get("Labels") or {}, 0, max_age_seconds, now):
            try:
                container.remove(force=True)
                removed.append(container.short_id)
            except docker.errors.APIError:
                pass  # already gone, or its owner is removing it right now
    reap_images(client, max_age_seconds)
    return removed


def reap_images(client: docker.DockerClient, max_age_seconds: float) -> list[str]:
    """Remove leftover candidate images: labelled by us, tagged `lab-candidate-*` (or
    untagged) and nothing else, and old or of a dead owner.  Removing one also prunes
    the untagged step images below it.  Returns the ids removed."""
    removed = []
    now = time.time()
    try:
        images = client.api.images(filters={"label": f"{LABEL}=1"})
    except docker.errors.APIError:
        return removed
    for image in images:
        names = [t for t in image.get("RepoTags") or () if t != "<none>:<none>"]
        if not all(name.startswith(CANDIDATE_TAG_PREFIX) for name in names):
            continue  # someone else's name on it: not ours to remove
        if _leftover(image.get("Labels") or {}, image.get("Created") or 0, max_age_seconds, now):
            try:
                client.api.remove_image(image["Id"], force=True)
                removed.append(image["Id"])
            except docker.errors.APIError:
                pass  # already gone, or in use
    return removed

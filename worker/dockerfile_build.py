"""Building a candidate's Dockerfile, and removing every image the build made.

The engine's classic builder (what the SDK drives) leaves an image per step; a
multi-stage build keeps its earlier stages' images, and a build that fails keeps those
of the steps that finished.  None carries our labels (they go on the final image only),
so the build's own stream is what tells us which are ours: `Build` notes the ids it
reports and `remove_build_images` removes them, children first, whatever happened.
Builds run with `nocache`, so no step is borrowed from another candidate's build and
every image in our chain, up to the allowed base, is ours.
"""

from __future__ import annotations

import collections
import datetime
import io
import re
import tarfile
import threading
import time

import docker
import docker.errors
import requests.exceptions

from lab.config import Limits
from worker.sandbox import LABEL, OWNER_LABEL, STARTED_LABEL, owner_id

BASE_ALIASES = ("lab/python",)
CANDIDATE_TAG_PREFIX = "lab-candidate-"  # the reaper removes old images of this name
BUILD_GRACE = 15.0  # after the deadline's kill, how long the engine may take to stop
KILL_EVERY = 0.5
SETTLE_SECONDS = 10.0  # how long a cut-off build may take to let go of its images
STEP_IMAGE = re.compile(r"^ ---> ([0-9a-f]{12})$", re.M)
STEP_CONTAINER = re.compile(r"^ ---> Running in ([0-9a-f]{12})$", re.M)


def _context(files: dict[str, bytes]) -> io.BytesIO:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            info.mtime = 0
            tar.addfile(info, io.BytesIO(data))
    buffer.seek(0)
    return buffer


class Build:
    """One engine build, read as it streams.  It notes every image id the stream reports
    (`aux` IDs, and the classic builder's ` ---> <id>` step lines) and each step's
    container; at the deadline a watchdog kills that container, which ends the build in
    the engine (a socket timeout alone misses a step that keeps printing)."""

    def __init__(self, client: docker.DockerClient, seconds: float) -> None:
        self.client, self.seconds = client, seconds
        self.deadline = time.monotonic() + seconds
        self.reported: list[str] = []  # image ids, in stream order
        self.trusted: list[str] = []  # `aux` IDs: the engine's own fields, not build output
        self.container: str | None = None  # the current step's build container
        self.timed_out = False
        self.finished = False  # the engine ended the stream
        self.since = _engine_time(client) - 2  # images older than this are not ours
        self.log: collections.deque[str] = collections.deque(maxlen=400)
        self._done = threading.Event()

    def run(self, files: dict[str, bytes], tag: str, limits: Limits) -> str | None:
        """Build `tag`; the engine's error message, or None when the image was built."""
        watchdog = threading.Thread(target=self._watch, name="build-watchdog", daemon=True)
        watchdog.start()
        stream = None
        try:
            stream = self.client.api.build(
                fileobj=_context(files), custom_context=True, tag=tag, network_mode="none",
                pull=False, rm=True, forcerm=True, nocache=True, decode=True,
                use_config_proxy=False, timeout=self.seconds + BUILD_GRACE,
                container_limits={"memory": limits.memory_mb * 2**20,
                                  "memswap": limits.memory_mb * 2**20},
                labels={LABEL: "1", OWNER_LABEL: owner_id(), STARTED_LABEL: f"{time.time():.0f}"})
            for chunk in stream:
                if self._read(chunk):
                    self.finished = True
                    return str(chunk.get("error") or "the build failed")
                if time.monotonic() > self.deadline + BUILD_GRACE:
                    raise BuildStuck(f"the build ran {BUILD_GRACE:g} s past its deadline")
            self.finished = True
            return None
        finally:
            self._done.set()
            if not self.finished:
                self._kill()  # reading stopped early: stop the engine's build as well
            if stream is not None:
                stream.close()

    def _read(self, chunk: dict) -> bool:
        """Note what one message reports; True if it is the build's error."""
        aux = chunk.get("aux")
        if isinstance(aux, dict) and isinstance(aux.get("ID"), str):
            self.trusted.append(aux["ID"])
        text = chunk.get("stream")
        if isinstance(text, str):
            self.log.append(text)
            self.reported += STEP_IMAGE.findall(text)
            started = STEP_CONTAINER.findall(text)
            if started:
                self.container = started[-1]
                if self.timed_out:
                    self._kill()
        if "error" in chunk:
            self.log.append(str(chunk["error"]))
            return True
        return False

    def _watch(self) -> None:
        if self._done.wait(max(0.0, self.deadline - time.monotonic())):
            return
        self.timed_out = True
        while True:
            self._kill()
            if self._done.wait(KILL_EVERY):
                return

    def _kill(self) -> None:
        """Kill the current step's container, if it really runs one of this build's images
        (a RUN step could print a `Running in` line naming someone else's container)."""
        container = self.container
        if not container:
            return
        try:
            image = self.client.api.inspect_container(container).get("Image", "")
            if any(_same_id(image, known) for known in [*self.reported, *self.trusted]):
                self.client.api.kill(container)
        except docker.errors.APIError:
            pass  # the step ended meanwhile

    def message(self) -> str:
        return "".join(self.log)[-3000:]


class BuildStuck(RuntimeError):
    """The engine kept the build going after its container was killed."""


def _same_id(full: str, short: str) -> bool:
    full, short = full.removeprefix("sha256:"), short.removeprefix("sha256:")
    return len(short) >= 12 and full.startswith(short)


def _engine_time(client: docker.DockerClient) -> float:
    """The engine's clock (image `Created` times are in it), as a Unix time."""
    try:
        stamp = str(client.info().get("SystemTime", ""))
        stamp = re.sub(r"(\.\d{6})\d+", r"\1", stamp).replace("Z", "+00:00")
        return datetime.datetime.fromisoformat(stamp).timestamp()
    except (docker.errors.APIError, ValueError):
        return time.time() - 60


def is_base_tag(name: str) -> bool:
    """A tag of an allowed base: `lab/python:*`, `lab-runner-*:*`."""
    repo = name.rsplit(":", 1)[0]
    return repo in BASE_ALIASES or repo.startswith("lab-runner-")


def _build_images(listing: list[dict], build: Build, tag: str,
                  bases: tuple[str, ...]) -> tuple[set[str], dict[str, int]]:
    """Which listed images `build` made (see `remove_build_images`), with each one's
    distance from its base."""
    parent = {i["Id"]: i.get("ParentId") or "" for i in listing}
    created = {i["Id"]: i.get("Created") or 0 for i in listing}
    tags = {i["Id"]: {t for t in i.get("RepoTags") or () if t != "<none>:<none>"} for i in listing}
    roots = {i for i, names in tags.items() if any(is_base_tag(n) for n in names)} | set(bases)
    protected: set[str] = set()
    for node in roots:
        while node and node not in protected:
            protected.add(node)
            node = parent.get(node, "")

    def depth(image: str, stop: set[str]) -> int | None:
        hops = 0
        while image and image not in stop and hops < 10_000:
            image, hops = parent.get(image, ""), hops + 1
        return hops if image in stop else None

    def ours(image: str, recent: bool) -> bool:
        return (image not in protected and tags[image] <= {f"{tag}:latest"}
                and depth(image, roots) is not None and (not recent or created[image] >= build.since))

    found = {i for i in parent if any(_same_id(i, t) for t in build.trusted) and ours(i, False)}
    found |= {i for i in parent if tags[i] == {f"{tag}:latest"} and ours(i, False)}
    found |= {i for i in parent for r in build.reported if _same_id(i, r) and ours(i, True)}
    if not build.finished and found:
        found |= {i for i in parent if i not in found and not tags[i] and ours(i, True)
                  and depth(i, found) is not None}
    return found, {i: depth(i, roots) or 0 for i in found}


def remove_build_images(client: docker.DockerClient, build: Build, tag: str,
                        bases: tuple[str, ...] = ()) -> list[str]:
    """Remove every image `build` made, children first, best effort; the ids removed.

    The stream is not trusted blindly, since a RUN step can print ` ---> <id>`: an id is
    removed only if it descends from an allowed base (never a base or an ancestor of
    one) and carries no tag but `tag`; a ` ---> ` id must also be younger than the
    build.  A build cut off mid-way (timeout, exception) may still be stopping in the
    engine: its step container holds an image, or it commits a step it had no time to
    report.  So then the untagged descendants of its images go too, containers of its
    images are removed, and a second pass half a second later (more if something is
    left, up to `SETTLE_SECONDS`) catches what the engine did meanwhile."""
    removed: list[str] = []
    seen: set[str] = set()
    settle = time.monotonic() + (0 if build.finished else SETTLE_SECONDS)
    attempt = 0
    while True:
        attempt += 1
        try:
            found, depth = _build_images(client.api.images(all=True), build, tag, bases)
            users = client.api.containers(all=True) if not build.finished else []
        except (docker.errors.APIError, requests.exceptions.RequestException):
            return removed  # the engine is gone: the reaper gets the final image later
        seen |= found
        for container in users:
            if container.get("ImageID") in seen:  # only this build runs its own images
                try:
                    client.api.remove_container(container["Id"], force=True)
                except (docker.errors.APIError, requests.exceptions.RequestException):
                    pass  # the engine is removing it itself
        left = []
        for image in sorted(found, key=depth.__getitem__, reverse=True):
            try:
                client.api.remove_image(image, force=True)
                removed.append(image)
            except docker.errors.NotFound:
                pass  # pruned with a child already
            except (docker.errors.APIError, requests.exceptions.RequestException):
                left.append(image)  # in use (a step still stopping), or the engine failed
        if (not left and (build.finished or attempt > 1)) or time.monotonic() > settle:
            return removed
        time.sleep(0.5)

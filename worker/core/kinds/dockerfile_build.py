"""Building a candidate's Dockerfile, and removing every image the build made.

The engine's classic builder (what the SDK drives) leaves an image per step; a
multi-stage build keeps its earlier stages' images, and a build that fails keeps those
of the steps that finished.  None carries our labels (they go on the final image only),
so the build's own stream is what tells us which are ours: `Build` notes the ids it
reports and `remove_build_images` removes them, children first, whatever happened.
Builds run with `nocache`, so no step is borrowed from another candidate's build and
every image in our chain, up to the allowed base, is ours.

A build step is as strong a box as the sandbox.  The engine's build API offers memory,
CPU quota, ulimits and a cgroup parent, but no process cap; so each build that runs a
step first starts a "holder" container with the sandbox's pids, memory and CPU caps,
and the steps run in cgroups nested under the holder's (cgroup limits hold for a whole
subtree): all the build's processes share one cap of `limits.pids`.  RLIMIT_FSIZE caps
each file; a watch kills a step whose layer grows past `MAX_LAYER_MB`, or whose output
passes `MAX_BUILD_OUTPUT`.  Only an engine with the cgroupfs driver nests cgroups
under a container (systemd's driver wants slices): elsewhere builds run without the
shared process cap, and the result says so.
"""

from __future__ import annotations

import collections
import datetime
import functools
import io
import json
import re
import tarfile
import threading
import time

import docker
import docker.errors
import requests.exceptions

from worker.core.config import Limits
from worker.core.kinds.dockerfile_policy import BASE_ALIASES
from worker.core.sandbox import LABEL, OWNER_LABEL, STARTED_LABEL, owner_id

CANDIDATE_TAG_PREFIX = "lab-candidate-"  # the reaper removes old images of this name
BUILD_GRACE = 15.0  # after the deadline's kill, how long the engine may take to stop
KILL_EVERY = 0.5
SETTLE_SECONDS = 10.0  # how long a cut-off build may take to let go of its images
STEP_IMAGE = re.compile(r"^ ---> ([0-9a-f]{12})$", re.M)
STEP_CONTAINER = re.compile(r"^ ---> Running in ([0-9a-f]{12})$", re.M)
MAX_LAYER_MB = 200  # what one step may add to the image
MAX_BUILD_OUTPUT = 1 << 20  # bytes of build log read before the build is stopped
BUILD_FILE_MB = 64  # RLIMIT_FSIZE of every build step
WATCH_EVERY = 0.25  # how often the watch looks at the running step
# Terminal escapes a build step may print (colours, cursor moves, titles): shown as text
# they are noise, and they could rewrite what a reader sees of the log.
ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[ -/]*[0-~])")


def log_text(parts) -> str:
    """The last 3000 characters of a build's log, without terminal escapes."""
    return ESCAPES.sub("", "".join(parts))[-3000:]


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
        self.output = 0  # bytes of build output read
        self.over: str | None = None  # which cap stopped the build, in words
        self.limits: Limits | None = None
        self._done = threading.Event()

    def run(self, files: dict[str, bytes], tag: str, limits: Limits,
            holder: str | None = None) -> str | None:
        """Build `tag`; the engine's error message, or None when the image was built.
        `holder`: the container whose cgroups the steps nest under (see the module)."""
        self.limits = limits
        watchdog = threading.Thread(target=self._watch, name="build-watchdog", daemon=True)
        watchdog.start()
        stream = None
        params = {
            "t": tag, "nocache": True, "rm": True, "forcerm": True, "pull": False,
            "networkmode": "none", "memory": limits.memory_mb * 2**20,
            "memswap": limits.memory_mb * 2**20, "cpuperiod": 100_000,
            "cpuquota": int(limits.cpus * 100_000),
            "ulimits": json.dumps([
                {"Name": "fsize", "Soft": BUILD_FILE_MB << 20, "Hard": BUILD_FILE_MB << 20},
                {"Name": "nofile", "Soft": limits.open_files, "Hard": limits.open_files}]),
            "labels": json.dumps({LABEL: "1", OWNER_LABEL: owner_id(), STARTED_LABEL: f"{time.time():.0f}"}),
        }
        if holder:
            params["cgroupparent"] = f"/docker/{holder}"
        try:
            # The SDK's build() accepts no cgroup parent, ulimits or CPU quota: the same
            # request, with them.
            api = self.client.api
            response = api._post(api._url("/build"), data=_context(files), params=params,
                                 headers={"Content-Type": "application/tar"}, stream=True,
                                 timeout=self.seconds + BUILD_GRACE)
            api._raise_for_status(response)
            stream = api._stream_helper(response, decode=True)
            for chunk in stream:
                if self._read(chunk):
                    self.finished = True
                    return str(chunk.get("error") or "the build failed")
                if time.monotonic() > self.deadline + BUILD_GRACE:
                    raise BuildStuck(f"the build ran {BUILD_GRACE:g} s past its deadline")
            self.finished = True
            return self.over
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
            self.output += len(text)
            if self.output > MAX_BUILD_OUTPUT:
                # The watch kills the step; reading on keeps the engine from blocking on
                # its writes to us (it answers nothing else about the step meanwhile).
                self.over = self.over or f"the build printed more than {MAX_BUILD_OUTPUT >> 10} KiB"
                return False
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
        """Every `WATCH_EVERY` s: the deadline, and the size of the running step's layer.
        Past the deadline it keeps killing until the build ends."""
        while not self._done.wait(WATCH_EVERY):
            if time.monotonic() >= self.deadline:
                self.timed_out = True
                while True:
                    self._kill()
                    if self._done.wait(KILL_EVERY):
                        return
            container = self.container
            if container and not self.over and _layer_mb(self.client, container) > MAX_LAYER_MB:
                self.over = f"a build step wrote more than {MAX_LAYER_MB} MiB"
            if self.over:
                self._kill()

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
        except (docker.errors.APIError, requests.exceptions.RequestException):
            pass  # the step ended meanwhile, or the engine is busy: the next round tries again

    def message(self) -> str:
        return log_text(self.log)


def _layer_mb(client: docker.DockerClient, container: str) -> float:
    """How much the step container has written, in MiB (0 once it is gone)."""
    try:
        found = client.api.containers(all=True, filters={"id": container}, size=True)
    except (docker.errors.APIError, requests.exceptions.RequestException):
        return 0.0
    return (found[0].get("SizeRw") or 0) / 2**20 if found else 0.0


def nests_cgroups(client: docker.DockerClient) -> bool:
    """Whether build steps can nest under a holder's cgroups on this engine."""
    return _cgroup_driver(client.api.base_url, client) == "cgroupfs"


@functools.lru_cache(maxsize=8)
def _cgroup_driver(base_url: str, client: docker.DockerClient) -> str:
    try:
        return str(client.info().get("CgroupDriver", ""))
    except (docker.errors.APIError, requests.exceptions.RequestException):
        _cgroup_driver.cache_clear()  # ask again next time
        return ""


def process_cap_reached(client: docker.DockerClient, holder: str) -> bool:
    """Whether the build's processes ever filled the holder's cap, read from inside it.
    The kernel counts a refused fork in the forking task's own cgroup (a step's, gone
    by now), so the holder's peak is what tells."""
    script = ("d=/sys/fs/cgroup/pids; [ -r $d/pids.max ] || d=/sys/fs/cgroup; "
              "echo $(cat $d/pids.max) $(cat $d/pids.peak 2>/dev/null || echo 0)")
    try:
        exec_id = client.api.exec_create(holder, ["sh", "-c", script], user="10001:10001")["Id"]
        words = client.api.exec_start(exec_id).decode("utf-8", "replace").split()
    except (docker.errors.APIError, requests.exceptions.RequestException):
        return False
    return len(words) == 2 and words[0].isdigit() and words[1].isdigit() and int(words[1]) >= int(words[0])


def start_holder(client: docker.DockerClient, base: str, limits: Limits, labels: dict) -> str:
    """A container that holds the caps every step of one build shares; its id."""
    holder = client.api.create_container(
        base, command=["sleep", "3600"], user="10001:10001", labels=labels,
        network_disabled=True,
        host_config=client.api.create_host_config(
            network_mode="none", cap_drop=["ALL"], security_opt=["no-new-privileges"],
            pids_limit=limits.pids + 1,  # + the holder's own sleep
            mem_limit=limits.memory_mb * 2**20, memswap_limit=limits.memory_mb * 2**20,
            nano_cpus=int(limits.cpus * 1e9), read_only=True, auto_remove=False,
            log_config={"Type": "none", "Config": {}}))
    client.api.start(holder["Id"])
    return holder["Id"]


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

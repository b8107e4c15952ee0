"""One throwaway, locked-down container per grading run, through the Docker SDK.

Cold path: files go in with put_archive before the container starts; the report comes
out as the log of PID 1, which no candidate process can write.  Warm path (worker/core/pool.py):
a container created here with the very same options, started ahead with pytest
imported, takes the files and the go as one line on PID 1's stdin through the engine's
attach stream and answers with its report on the same stream.  No host path, socket or
variable is handed in.  The container is removed whatever happens; labels let the
reaper find it if this process dies first.
"""

from __future__ import annotations

import io
import json
import logging
import os
import socket
import tarfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

import docker
import docker.errors
import requests.exceptions
from docker.types import LogConfig, Ulimit

from worker.core.config import Limits

LABEL = "interview-lab.sandbox"
OWNER_LABEL = "interview-lab.owner"
STARTED_LABEL = "interview-lab.started"
POOL_LABEL = "interview-lab.pool"  # started ahead by a warm pool (worker/core/pool.py)
# Everything under worker/runner that runs in the container (standard library and pytest).
RUNNER_FILES = ("lab_supervisor.py", "lab_box.py", "lab_meter.py", "lab_judge.py", "lab_control.py",
                "lab_candidate.py", "lab_candidate_values.py", "lab_wire.py", "lab_values.py",
                "lab_context.py", "lab_proxy.py", "lab_mirror.py", "lab_codec.py", "judge.py",
                "pytest.ini", "imagefacts.py")
RUNNER_SOURCE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "runner")
REPORT_CAP = 8 * 1024 * 1024
CANDIDATE_UID = 10001
GRADER_UID = 10000
logger = logging.getLogger(__name__)
_counts: Counter = Counter()  # container starts etc. in this process, read by metrics
_counts_lock = threading.Lock()


def count(name: str, amount: int = 1) -> None:
    with _counts_lock:
        _counts[name] += amount


def take_counts() -> dict[str, int]:
    """The counters since the last call (for a metrics push), then zero."""
    with _counts_lock:
        taken = dict(_counts)
        _counts.clear()
    return taken


class InfraError(RuntimeError):
    """Our side failed (engine, image); never the candidate's fault.  `retryable` is False
    when trying again cannot help (no engine, no image): the message says what to do."""

    def __init__(self, message: str, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass
class SandboxJob:
    """What one run needs inside the container."""

    files: dict[str, bytes]  # the candidate's files: /sandbox, readable by every user
    judge_files: dict[str, bytes]  # the tests and their data: /judge, the grader's only
    test_paths: list[str]  # relative to /judge
    visibility: str  # public | hidden
    modules: list[str]  # the candidate's modules the tests may import
    output_keep_bytes: int = 64 * 1024

    def go(self, limits: Limits) -> dict:
        """What the supervisor passes on to the judge at go."""
        return {"test_paths": self.test_paths, "visibility": self.visibility,
                "modules": self.modules, "limits": limits.as_dict(),
                "output_keep_bytes": self.output_keep_bytes}


def candidate_modules(files: dict[str, bytes]) -> list[str]:
    """The top-level Python modules among the candidate's files."""
    return sorted(name[:-3] for name in files if name.endswith(".py") and "/" not in name
                  and name[:-3].isidentifier())


@dataclass
class SandboxRun:
    log: bytes  # what PID 1 printed: the supervisor's report, untrusted until checked
    outer_timeout: bool
    oom_killed: bool
    exit_code: int | None
    duration: float


def owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def connect() -> docker.DockerClient:
    """A client for the local engine, or InfraError saying how to get one."""
    try:
        client = docker.from_env(timeout=30)
        client.ping()
    except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
        raise InfraError(
            "no Docker engine answered "
            f"({os.environ.get('DOCKER_HOST', 'unix:///var/run/docker.sock')}): {exc}. "
            "Start it (`dockerd`, or `make up`, which starts it) and try again.",
            retryable=False,
        ) from None
    return client


def runtime_problem(client: docker.DockerClient, runtime: str) -> str:
    """Why sandboxes cannot run under `runtime` on this engine ('' when they can; the
    engine's default runtime, named by '', always can)."""
    if not runtime:
        return ""
    try:
        known = sorted((client.info().get("Runtimes") or {}).keys())
    except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
        return f"could not ask the Docker engine for its runtimes: {exc}"
    if runtime in known:
        return ""
    how = ("`sudo LAB_RUNTIME=runsc make up` installs and registers gVisor"
           if uses_gvisor(runtime) else "register it in /etc/docker/daemon.json")
    return (f"LAB_RUNTIME={runtime}, but the Docker engine has no runtime of that name "
            f"(it has: {', '.join(known) or 'none listed'}); {how}")


def _add(tar: tarfile.TarFile, name: str, data: bytes | None, mode: int, gid: int = 0) -> None:
    info = tarfile.TarInfo(name)
    info.uid = 0
    info.gid = gid
    info.uname = "root"
    info.gname = "root" if gid == 0 else "grader"
    info.mtime = int(time.time())
    info.mode = mode
    if data is None:
        info.type = tarfile.DIRTYPE
        tar.addfile(info)
    else:
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))


def _add_tree(tar: tarfile.TarFile, root: str, files: dict[str, bytes], gid: int) -> None:
    """Files root-owned; with a group (the grader's), readable by it alone."""
    dir_mode, file_mode = (0o755, 0o644) if gid == 0 else (0o750, 0o640)
    _add(tar, root, None, dir_mode, gid)
    made = set()
    for rel, data in sorted(files.items()):
        parts = rel.split("/")
        for depth in range(1, len(parts)):
            folder = f"{root}/" + "/".join(parts[:depth])
            if folder not in made:
                made.add(folder)
                _add(tar, folder, None, dir_mode, gid)
        _add(tar, f"{root}/{rel}", data, file_mode, gid)


def build_archive(job: SandboxJob | None) -> bytes:
    """Tar of the runner, the candidate's files (/sandbox) and the tests (/judge).  Nothing
    is writable by the candidate, and /judge is not even readable by it.  None for job (a
    pool container): the runner only; the files come at go."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        _add(tar, "opt/lab-runner", None, 0o755)
        for name in RUNNER_FILES:
            with open(os.path.join(RUNNER_SOURCE, name), "rb") as handle:
                _add(tar, f"opt/lab-runner/{name}", handle.read(), 0o644)
        if job is not None:
            _add_tree(tar, "sandbox", job.files, 0)
            _add_tree(tar, "judge", job.judge_files, GRADER_UID)
    return buffer.getvalue()


# gVisor (runsc) runs a user-space kernel inside the container's cgroup: its own host
# threads count against the pids cap, and its memory (page tables, caches, the Go
# runtime) against the memory cap.  The engine's caps get this headroom on top, and
# PID 1 holds the candidate to the configured limits itself (worker/runner/lab_meter.py).
GVISOR_PIDS_HEADROOM = 4096
GVISOR_MEMORY_HEADROOM_MB = 192


# Clocks under gVisor: page faults and system calls go through the user-space kernel,
# so memory-heavy code runs up to about 3x slower (a reference that builds a large list:
# 2.1 s under runc, 6.7 s under runsc), and that time is the task's CPU time there too.
# The run's wall clock, each test's and the CPU seconds all get that much longer, which
# keeps their order (a hung test meets its test time before the CPU limit, as under
# runc); memory and the other limits stay as configured.
GVISOR_CLOCK_STRETCH = 3.0


def uses_gvisor(runtime: str) -> bool:
    """True for Docker runtimes that run gVisor (registered as runsc, or runsc-<variant>)."""
    return runtime.rsplit("/", 1)[-1].startswith("runsc")


def clocks_for(limits: Limits, runtime: str) -> Limits:
    """The limits a run under `runtime` gets: under gVisor, longer clocks."""
    if not uses_gvisor(runtime):
        return limits
    return replace(limits, wall_seconds=limits.wall_seconds * GVISOR_CLOCK_STRETCH,
                   test_seconds=limits.test_seconds * GVISOR_CLOCK_STRETCH,
                   cpu_seconds=limits.cpu_seconds * GVISOR_CLOCK_STRETCH)


def supervisor_job(limits: Limits, runtime: str = "") -> dict:
    """What PID 1 needs to know of the limits (the same for a cold and a warm run)."""
    job = {
        "cpu_seconds": max(1, int(clocks_for(limits, runtime).cpu_seconds)),
        "output_bytes": limits.output_kb * 1024,
        "file_size_bytes": limits.file_size_mb * 1024 * 1024,
        "open_files": limits.open_files,
        "candidate_uid": CANDIDATE_UID,
        "grader_uid": GRADER_UID,
    }
    if uses_gvisor(runtime):
        job.update(meter="proc", pids=limits.pids, memory_bytes=limits.memory_mb * 1024 * 1024)
    return job


def create_sandbox(client: docker.DockerClient, image: str, limits: Limits, runtime: str,
                   job: dict, extra_labels: dict | None = None, **channel: Any):
    """The one place the sandbox's settings live: cold runs and the warm pool both create
    their containers here.  `channel` is only how the host talks to PID 1 (stdin for a
    pool container), never a limit or a permission."""
    gvisor = uses_gvisor(runtime)
    memory_headroom = GVISOR_MEMORY_HEADROOM_MB if gvisor else 0
    try:
        return client.containers.create(
            image,
            command=["python3", "-I", "/opt/lab-runner/lab_supervisor.py", json.dumps(job)],
            user="0:0",  # the supervisor drops to grader/candidate before any test code runs
            working_dir="/sandbox",
            hostname="sandbox",
            environment={"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"},
            network_mode="none",
            cap_drop=["ALL"],
            cap_add=["SETUID", "SETGID"],
            security_opt=["no-new-privileges"],
            mem_limit=f"{limits.memory_mb + memory_headroom}m",
            memswap_limit=f"{limits.memory_mb + memory_headroom}m",
            pids_limit=limits.pids + (GVISOR_PIDS_HEADROOM if gvisor else 0),
            nano_cpus=int(limits.cpus * 1e9),
            ulimits=[
                Ulimit(name="nofile", soft=limits.open_files, hard=limits.open_files),
                Ulimit(name="core", soft=0, hard=0),
            ],
            tmpfs={"/tmp": f"rw,nosuid,nodev,noexec,size={limits.scratch_mb}m,mode=1777"},
            shm_size="4m",
            log_config=LogConfig(type="json-file", config={"max-size": "16m"}),
            labels={LABEL: "1", OWNER_LABEL: owner_id(), STARTED_LABEL: f"{time.time():.0f}",
                    **(extra_labels or {})},
            runtime=runtime or None,
            **channel,
        )
    except docker.errors.ImageNotFound:
        raise InfraError(
            f"the runner image {image} is missing: run `lab images build` (or `make up`)",
            retryable=False,
        ) from None
    except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
        raise InfraError(f"the Docker engine refused to create the sandbox: {exc}") from None


def remove_quietly(container) -> None:
    try:
        container.remove(force=True)
    except (docker.errors.DockerException, requests.exceptions.RequestException):
        pass  # gone already, or the reaper removes it by label


def run_in_sandbox(
    client: docker.DockerClient,
    image: str,
    job: SandboxJob,
    limits: Limits,
    grace_seconds: float,
    runtime: str = "",
    pool: Any = None,
) -> SandboxRun:
    """One run in a fresh container: a warm one from `pool` (worker/core/pool.py) when it has
    one for this image, limits and runtime, else one created now (the cold path)."""
    job.output_keep_bytes = min(job.output_keep_bytes, limits.output_kb * 1024)
    if pool is not None:
        run = pool.run(image, limits, runtime, job, grace_seconds)
        if run is not None:
            return run
    started = time.monotonic()
    clocks = clocks_for(limits, runtime)
    container = create_sandbox(client, image, limits, runtime,
                               {**supervisor_job(limits, runtime), **job.go(clocks)})
    count("starts_cold")
    outer_timeout = False
    try:
        container.put_archive("/", build_archive(job))
        container.start()
        try:
            status = container.wait(timeout=clocks.wall_seconds + grace_seconds)
            exit_code = status.get("StatusCode")
        except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError):
            # wait()'s timeout is only the HTTP timeout: the container is still running.
            outer_timeout = True
            exit_code = None
            try:
                container.kill()
            except docker.errors.APIError:
                pass
        log = container.logs(stdout=True, stderr=False)[:REPORT_CAP]
        oom_killed = False
        if exit_code != 0:
            # PID 1 exits 0 after printing its report, which counts OOM kills itself; ask
            # the engine (one more call) only when it did not get that far.
            container.reload()
            oom_killed = bool(container.attrs.get("State", {}).get("OOMKilled"))
    except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
        raise InfraError(f"the Docker engine failed during the run: {exc}") from None
    finally:
        remove_quietly(container)
    return SandboxRun(log=log, outer_timeout=outer_timeout, oom_killed=oom_killed,
                      exit_code=exit_code, duration=time.monotonic() - started)

"""Host side of the supervisor's armed mode: start a pool container, hand it one run.

The container is made by create_sandbox (worker/core/sandbox.py), the very options of a cold
run, plus an open stdin.  The runner goes in before start, as on the cold path.  Then
PID 1 forks the candidate's process, which imports pytest and waits; PID 1 says `armed`
on stderr and waits for one line on stdin.  That line (files, test paths, visibility)
goes through the engine's attach stream, which only this process holds; the report
comes back on the same stream as one line, so the run ends when the report is read,
not when the engine has torn the container down.  See docs/threat-model.md.
"""

from __future__ import annotations

import base64
import json
import logging
import select
import socket
import struct
import time
from dataclasses import dataclass
from typing import Any

import docker
import docker.errors
import requests.exceptions

from worker.core.config import Limits
from worker.core.sandbox import (
    POOL_LABEL,
    REPORT_CAP,
    STARTED_LABEL,
    InfraError,
    SandboxJob,
    SandboxRun,
    build_archive,
    clocks_for,
    count,
    create_sandbox,
    remove_quietly,
    supervisor_job,
)

ARM_TIMEOUT = 60.0  # seconds a pool container may take to start and import pytest
logger = logging.getLogger(__name__)


class StaleSandbox(RuntimeError):
    """A pool container died or answered wrongly before it got the go: nothing of the
    submission ran in it, so the run can go to a fresh container at once."""


@dataclass
class Armed:
    """A started pool container whose PID 1 waits for one go line on stdin."""

    container: Any
    stream: _Stream
    key: tuple  # (image, limits, runtime): what it was created for
    created: float  # time.time(), as in its STARTED label: the reaper's clock
    armed_seconds: float = 0.0  # create to ready, for the record


class _Stream:
    """The engine's attach stream (no tty): we write stdin, it sends 8-byte framed
    stdout (1) and stderr (2) chunks."""

    def __init__(self, sock) -> None:
        self.io = sock  # keeps docker-py's response (and so the connection) alive
        self.raw: socket.socket = getattr(sock, "_sock", sock)
        self.buffer = b""

    def _exactly(self, size: int, deadline: float) -> bytes | None:
        while len(self.buffer) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            self.raw.settimeout(remaining)
            chunk = self.raw.recv(65536)
            if not chunk:
                return None
            self.buffer += chunk
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def frame(self, deadline: float) -> tuple[int, bytes] | None:
        """The next (stream, data), None at end of stream; TimeoutError at the deadline."""
        header = self._exactly(8, deadline)
        if header is None:
            return None
        kind, size = struct.unpack(">BxxxL", header)
        data = self._exactly(size, deadline)
        return None if data is None else (kind, data)

    def quiet(self) -> bool:
        """Nothing arrived since arming: no end of stream, no stray output."""
        return not self.buffer and not select.select([self.raw], [], [], 0)[0]

    def close(self) -> None:
        for part in (self.raw, self.io):
            try:
                part.close()
            except OSError:
                pass


def arm_sandbox(client: docker.DockerClient, image: str, limits: Limits, runtime: str,
                timeout: float = ARM_TIMEOUT) -> Armed:
    """Create and start a pool container and wait until its child has imported pytest.
    The same options as a cold run (create_sandbox); the runner goes in before start as
    there; stdin stays open for the go and closes when this process lets go (or dies)."""
    started = time.monotonic()
    job = {**supervisor_job(limits, runtime), "armed": True}
    # docker-py sets StdinOnce with stdin_open: stdin closes when our stream does.
    container = create_sandbox(client, image, limits, runtime, job, {POOL_LABEL: "1"},
                               stdin_open=True)
    # The reaper's clock: the label create_sandbox wrote (it may precede a slow create).
    created = min(time.time(), float(container.labels.get(STARTED_LABEL) or time.time()))
    try:
        container.put_archive("/", build_archive(None))
        # Attached before start, so no output can be missed or left in docker-py's buffer.
        stream = _Stream(client.api.attach_socket(
            container.id, params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}))
        try:
            container.start()
            count("starts_pool")
            said = b""
            deadline = started + timeout
            while not said.endswith(b"armed\n"):
                frame = stream.frame(deadline)
                if frame is None or frame[0] != 2:
                    raise InfraError(f"pool container did not arm: {said[-300:]!r}")
                said += frame[1]
        except BaseException:
            stream.close()
            raise
    except TimeoutError:
        remove_quietly(container)
        raise InfraError(f"pool container not armed within {timeout:g} s") from None
    except (docker.errors.DockerException, requests.exceptions.RequestException, OSError) as exc:
        remove_quietly(container)
        raise InfraError(f"the Docker engine failed to start a pool container: {exc}") from None
    except BaseException:
        remove_quietly(container)
        raise
    return Armed(container, stream, (image, limits, runtime), created,
                 time.monotonic() - started)


def run_armed(armed: Armed, job: SandboxJob, limits: Limits, grace_seconds: float) -> SandboxRun:
    """Hand the files and the go to an armed container and read its report off the attach
    stream as soon as PID 1 prints it (one line), without waiting for the exit."""
    started = time.monotonic()
    clocks = clocks_for(limits, armed.key[2])  # the key is (image, limits, runtime)
    line = json.dumps({
        "files": {rel: base64.b64encode(data).decode() for rel, data in job.files.items()},
        "judge_files": {rel: base64.b64encode(data).decode()
                        for rel, data in job.judge_files.items()},
        **job.go(clocks),
    }).encode() + b"\n"
    stream = armed.stream
    try:
        if not stream.quiet():
            raise StaleSandbox("it ended or spoke before go")
        stream.raw.settimeout(30)
        stream.raw.sendall(line)
    except OSError as exc:
        raise StaleSandbox(f"the go could not be sent: {exc}") from None
    out = bytearray()
    err = bytearray()
    outer_timeout = False
    deadline = started + clocks.wall_seconds + grace_seconds
    try:
        while b"\n" not in out:
            frame = stream.frame(deadline)
            if frame is None:
                break  # PID 1 is gone without a whole report
            if frame[0] == 1:
                if len(out) + len(frame[1]) > REPORT_CAP:
                    break
                out.extend(frame[1])
            elif len(err) < 4096:
                err.extend(frame[1])
    except TimeoutError:
        outer_timeout = True
    except OSError as exc:
        raise InfraError(f"the attach stream of a pool container failed: {exc}") from None
    if b"\n" in out:
        # PID 1 exits 0 right after this line and counted OOM kills itself.
        return SandboxRun(log=bytes(out.split(b"\n", 1)[0]), outer_timeout=False,
                          oom_killed=False, exit_code=0, duration=time.monotonic() - started)
    exit_code = None
    oom_killed = False
    try:
        if outer_timeout:
            armed.container.kill()
        else:
            exit_code = armed.container.wait(timeout=10).get("StatusCode")
        armed.container.reload()
        oom_killed = bool(armed.container.attrs.get("State", {}).get("OOMKilled"))
    except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
        if not outer_timeout:
            raise InfraError(f"the Docker engine failed during the run: {exc}") from None
    if err:
        logger.warning("pool container %s said: %s", armed.container.short_id,
                       err.decode("utf-8", "replace")[-500:])
    return SandboxRun(log=bytes(out), outer_timeout=outer_timeout, oom_killed=oom_killed,
                      exit_code=exit_code, duration=time.monotonic() - started)

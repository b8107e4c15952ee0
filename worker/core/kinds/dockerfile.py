"""The `dockerfile` kind: build the candidate's image, probe it, test what was learned.

1. Every `FROM` must name an allowed local base (`lab/python`, the runner image) or an
   earlier stage; `COPY --from` may only name a stage.  Anything else is `rejected`:
   the engine never pulls and never reaches the network.
2. The image is built by the engine with `network_mode=none`, no build cache, memory
   caps and a time cap (a watchdog kills the running step at the deadline), from an
   in-memory context holding only the candidate's files (worker/core/kinds/dockerfile_build.py).
3. Facts are collected: the image config (user, command, entrypoint, ports, health
   check, labels, ...), its size and layers, and the output of the challenge's probes,
   run in containers of the image under the sandbox limits (no network, no
   capabilities, a non-root user).
4. The instructor's pytest tests run in the ordinary Python sandbox against those facts
   (`from imagefacts import facts`), so they never run on the host, and the result
   channel, verdicts and fail-closed rules are the ones every kind shares.
Every image the build made (each stage's and each finished step's, not only the
tagged one) and every container are removed, whatever happens.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docker
import docker.errors
import requests.exceptions
import urllib3.exceptions

from worker.core.challenge import Challenge, ChallengeError, load_challenge
from worker.core.config import Limits, Settings
from worker.core.kinds import dockerfile_policy
from worker.core.kinds.base import SCAFFOLDS
from worker.core.kinds.dockerfile_build import (
    BASE_ALIASES,
    BUILD_FILE_MB,
    CANDIDATE_TAG_PREFIX,
    MAX_LAYER_MB,
    Build,
    BuildStuck,
    nests_cgroups,
    process_cap_reached,
    remove_build_images,
    start_holder,
)
from worker.core.result import Result
from worker.core.sandbox import LABEL, OWNER_LABEL, STARTED_LABEL, InfraError, SandboxJob, owner_id
from worker.core.testids import expected_tests
from worker.core.verdict import run_tests

FACTS_OUTPUT_CAP = 8192
MAX_IMAGE_MB = 600
# A probe container's log: what `logs()` reads back, and all the engine keeps on disk.
PROBE_LOG = {"Type": "json-file", "Config": {"max-size": "256k", "max-file": "1"}}


def ensure_base_aliases(client: docker.DockerClient, runner_image: str) -> str:
    """`lab/python` is a local tag of the runner image: the only base a candidate may use.
    Returns the runner image's id."""
    try:
        base = client.images.get(runner_image)
    except docker.errors.ImageNotFound:
        raise InfraError(f"the runner image {runner_image} is missing: run `lab images build`",
                         retryable=False) from None
    for alias in BASE_ALIASES:
        if f"{alias}:latest" not in base.tags:
            base.tag(alias, "latest")
    return base.id


def check_dockerfile(dockerfile: str) -> str | None:
    """Why the Dockerfile may not be built, or None (worker/core/kinds/dockerfile_policy.py)."""
    try:
        dockerfile_policy.check(dockerfile)
    except dockerfile_policy.Refused as exc:
        return str(exc)
    return None


def _runs_steps(dockerfile: str) -> bool:
    """Whether building it starts a container: a RUN, or an ONBUILD that may hold one."""
    return any(i.word in ("run", "onbuild") for i in dockerfile_policy.parse(dockerfile))


def _probe_container(client, tag: str, limits: Limits, command=None, labels=None):
    """A container of the candidate's image in the sandbox's box.  The engine runs no
    health check in it (the image's HEALTHCHECK is a fact the tests read, and an
    interval of 1 ms would have the engine exec it hundreds of times a second), and
    its log is capped on disk."""
    return client.containers.create(
        tag, command=command, user="10001:10001", network_mode="none", cap_drop=["ALL"],
        security_opt=["no-new-privileges"], mem_limit=f"{limits.memory_mb}m",
        memswap_limit=f"{limits.memory_mb}m", pids_limit=limits.pids,
        nano_cpus=int(limits.cpus * 1e9), tmpfs={"/tmp": f"rw,nosuid,nodev,size={limits.scratch_mb}m"},
        ulimits=[docker.types.Ulimit(name="fsize", soft=limits.file_size_mb << 20,
                                     hard=limits.file_size_mb << 20)],
        healthcheck={"test": ["NONE"]}, log_config=PROBE_LOG, labels=labels, detach=True)


def _with(message: str, notes: list[str]) -> str:
    return "; ".join(part for part in [message, *notes] if part)


def _labels() -> dict[str, str]:
    """The reaper's labels: a container the worker leaves behind is removed later."""
    return {LABEL: "1", OWNER_LABEL: owner_id(), STARTED_LABEL: f"{time.time():.0f}"}


def _remove(container) -> None:
    """Force-remove a probe container with its anonymous volumes (an image's VOLUME)."""
    try:
        container.remove(force=True, v=True)
    except docker.errors.APIError:
        pass


def _exec(container, command: list[str], timeout: float) -> dict:
    """Run a probe inside the running container, with a time cap."""
    api = container.client.api
    started = time.monotonic()
    exec_id = api.exec_create(container.id, command, user="10001:10001")["Id"]
    sock = api.exec_start(exec_id, socket=True)
    raw = sock._sock if hasattr(sock, "_sock") else sock
    raw.settimeout(timeout)
    chunks, size = [], 0
    timed_out = False
    try:
        while True:
            data = raw.recv(4096)
            if not data:
                break
            size += len(data)
            if size <= FACTS_OUTPUT_CAP * 2:
                chunks.append(data)
    except OSError:
        timed_out = True
    finally:
        raw.close()
    output = _demux(b"".join(chunks))
    code = None if timed_out else api.exec_inspect(exec_id).get("ExitCode")
    return {"exit_code": code, "output": output[:FACTS_OUTPUT_CAP], "timed_out": timed_out,
            "seconds": round(time.monotonic() - started, 3)}


def _demux(stream: bytes) -> str:
    """Docker's multiplexed exec stream (8-byte frame headers) to text."""
    out, i = bytearray(), 0
    while i + 8 <= len(stream):
        size = int.from_bytes(stream[i + 4:i + 8], "big")
        out += stream[i + 8:i + 8 + size]
        i += 8 + size
    return out.decode("utf-8", "replace")


def _run_apart(client, tag: str, limits: Limits, command, labels, extra: list) -> dict:
    """A probe in a fresh container of the image.  A command the image cannot start
    (not a program, say) is a fact about the candidate's image, not an engine failure."""
    try:
        one = _probe_container(client, tag, limits, command=command, labels=labels)
        extra.append(one)
        one.start()
    except docker.errors.APIError as exc:
        return {"exit_code": None, "timed_out": False, "seconds": None, "output": "",
                "error": f"the container could not start: {exc.explanation or exc}"[:500]}
    try:
        status = one.wait(timeout=limits.wall_seconds)
        code, timed_out = status.get("StatusCode"), False
    except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError):
        one.kill()
        code, timed_out = None, True
    return {"exit_code": code, "timed_out": timed_out, "seconds": None,
            "output": one.logs()[:FACTS_OUTPUT_CAP].decode("utf-8", "replace")}


def _stopped(container) -> bool:
    container.reload()
    return container.status != "running"


def _apart_all(client, tag: str, limits: Limits, probes: list[dict], labels, extra: list) -> dict:
    """Each probe in a fresh container of its own, all at once (they share nothing)."""
    with ThreadPoolExecutor(max_workers=min(4, len(probes))) as pool:
        futures = {p["name"]: pool.submit(_run_apart, client, tag, limits, p["exec"], labels, extra)
                   for p in probes}
    return {name: future.result() for name, future in futures.items()}


def _ended(container, seconds: float = 1.0) -> bool:
    """Whether the container's own command has ended.  When it ends, the engine kills an
    exec still in it (exit code 137), and the container's status can lag behind that."""
    try:
        container.wait(timeout=seconds)
        return True
    except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError):
        return False


def collect_facts(client, tag: str, probes: list[dict], limits: Limits, files) -> dict:
    image = client.images.get(tag)
    config = image.attrs.get("Config") or {}
    history = image.history()
    # The grader's own build labels are not the candidate's.
    config = dict(config, Labels={k: v for k, v in (config.get("Labels") or {}).items()
                                  if not k.startswith("interview-lab.")} or None)
    facts = {
        "config": {k: config.get(k) for k in ("User", "Cmd", "Entrypoint", "ExposedPorts",
                                              "Healthcheck", "Labels", "Env", "WorkingDir",
                                              "StopSignal", "Volumes")},
        "size_mb": round(image.attrs.get("Size", 0) / 1e6, 1),
        "layers": len((image.attrs.get("RootFS") or {}).get("Layers") or []),
        "history": [h.get("CreatedBy", "")[:300] for h in history][:100],
        "dockerfile": files.get("Dockerfile", b"").decode("utf-8", "replace"),
        "probes": {},
    }
    labels = _labels()
    if not probes:
        return facts
    main = _probe_container(client, tag, limits, labels=labels)
    extra = []
    try:
        try:
            main.start()
        except docker.errors.APIError as exc:
            # The image's own command cannot start (not executable, say): a fact about
            # the candidate's image, for the tests to judge, not an engine failure.
            facts["main"] = {"running": False, "logs": "", "error":
                             f"the container could not start: {exc.explanation or exc}"[:500]}
            for probe in probes:
                facts["probes"][probe["name"]] = _run_apart(client, tag, limits, probe["exec"],
                                                            labels, extra)
            return facts
        for index, probe in enumerate(probes):
            # The wait is for the image's command to get ready; once it has ended there
            # is nothing to wait for, and the probes left run apart, side by side.
            wait = float(probe.get("wait_seconds", 0))
            if _ended(main, wait) if wait > 0 else _stopped(main):
                facts["probes"].update(_apart_all(client, tag, limits, probes[index:], labels, extra))
                break
            try:
                result = _exec(main, probe["exec"], limits.wall_seconds)
            except docker.errors.APIError:
                result = None  # the command ended between the check and the exec
            if result and result["exit_code"] in (None, 126, 127, 137) and _ended(main):
                result = None  # the image's own command ended under the probe: run it apart
            if result is None:
                result = _run_apart(client, tag, limits, probe["exec"], labels, extra)
            facts["probes"][probe["name"]] = result
        main.reload()
        facts["main"] = {"running": main.status == "running",
                         "logs": main.logs(tail=50)[:FACTS_OUTPUT_CAP].decode("utf-8", "replace")}
    finally:
        for container in [main, *extra]:
            _remove(container)
    return facts


class DockerfileKind:
    name = "dockerfile"
    needs_sandbox = True
    builds_images = True
    hands_on = True
    pooled = False  # each grading builds its own image, then probes it
    python_modules = False
    prompt_file = True
    required_files = ("Dockerfile",)
    probes = True
    scaffold = SCAFFOLDS / "dockerfile"

    def load(self, path: Path, data: dict) -> Challenge:
        return load_challenge(path, data)

    def grade(self, challenge: Challenge, files, mode, limits: Limits, settings: Settings,
              client: docker.DockerClient, image: str) -> Result:
        visibility = "public" if mode == "run" else "hidden"
        tests = challenge.test_files(visibility)
        try:
            expected = expected_tests(tests)
        except SyntaxError as exc:
            raise ChallengeError(f"{exc.filename}, line {exc.lineno}: {exc.msg}") from None
        dockerfile = files.get("Dockerfile", b"").decode("utf-8", "replace")
        refused = check_dockerfile(dockerfile)
        if refused:
            return Result(verdict="rejected", message=f"Dockerfile, {refused}",
                          limits=limits.as_dict())
        base = ensure_base_aliases(client, image)
        tag = f"{CANDIDATE_TAG_PREFIX}{uuid.uuid4().hex[:16]}"
        build = Build(client, max(10.0, limits.wall_seconds * 3))
        box = (f"build steps share {limits.pids} processes and {limits.memory_mb} MiB; files up to "
               f"{BUILD_FILE_MB} MiB, layers up to {MAX_LAYER_MB} MiB")
        took_too_long = Result(verdict="timeout", limits=limits.as_dict(),
                               message=f"the build took longer than {build.seconds:g} s")
        holder = None
        notes: list[str] = []
        try:
            if _runs_steps(dockerfile):
                if nests_cgroups(client):
                    holder = start_holder(client, base, limits, _labels())
                else:
                    notes.append("this engine cannot cap the build's processes (it does not use "
                                 "the cgroupfs driver)")
            try:
                error = build.run(files, tag, limits, holder=holder)
            except docker.errors.APIError as exc:
                if exc.status_code != 400:
                    raise
                # The engine refused the Dockerfile (an unknown instruction, say).
                return Result(verdict="error", limits=limits.as_dict(),
                              message=f"the image did not build: {exc.explanation or exc}"[:3000])
            except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError,
                    urllib3.exceptions.ReadTimeoutError, urllib3.exceptions.ProtocolError,
                    BuildStuck):
                return took_too_long
            if build.over:
                return Result(verdict="output_limit", limits=limits.as_dict(),
                              message=f"{build.over}; the build was stopped ({box})\n{build.message()}")
            if error is not None:
                if build.timed_out:
                    return took_too_long
                if holder and process_cap_reached(client, holder):
                    notes.append(f"the process limit ({limits.pids}) was reached")
                if re.search(r"returned a non-zero code: 153\b", error):  # SIGXFSZ
                    return Result(verdict="output_limit", limits=limits.as_dict(),
                                  message=_with(f"a build step wrote a file past the {BUILD_FILE_MB} MiB "
                                                "file size limit", notes) + f"\n{build.message()}")
                if re.search(r"returned a non-zero code: 137\b", error):
                    return Result(verdict="memory_limit", limits=limits.as_dict(),
                                  message=_with(f"a build step was killed: it went over the "
                                                f"{limits.memory_mb} MiB memory limit", notes)
                                  + f"\n{build.message()}")
                return Result(verdict="error", limits=limits.as_dict(),
                              message=_with(f"the image did not build: {error} ({box})", notes)
                              + f"\n{build.message()}")
            size_mb = client.images.get(tag).attrs.get("Size", 0) / 2**20
            if size_mb > MAX_IMAGE_MB:
                return Result(verdict="output_limit", limits=limits.as_dict(),
                              message=f"the image is {size_mb:.0f} MiB, over the {MAX_IMAGE_MB} MiB cap")
            facts = collect_facts(client, tag, list(challenge.probes), limits, files)
        except docker.errors.APIError as exc:
            raise InfraError(f"the engine failed while building or probing: {exc}") from None
        finally:
            if holder:
                try:
                    client.api.remove_container(holder, force=True, v=True)
                except docker.errors.APIError:
                    pass  # the reaper finds it by its labels
            remove_build_images(client, build, tag, bases=(base,))
        # The facts are the judge's data: the candidate's files are not Python to run.
        job = SandboxJob(files=files, judge_files={**tests, "facts.json": json.dumps(facts).encode()},
                         test_paths=[f"tests/{visibility}"], visibility=visibility, modules=[])
        result = run_tests(client, image, job, expected, challenge.points, limits, settings)
        result.message = _with(result.message, notes)
        return result


PROVIDES = (DockerfileKind(),)

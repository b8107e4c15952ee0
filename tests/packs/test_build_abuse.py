"""A hostile candidate against the dockerfile kind: each test is an attack that worked on
the lab before builds and probes got the sandbox's box (issue 11), run against the real
engine.  Listeners on the host stand in for internal services and registries."""

from __future__ import annotations

import io
import os
import re
import socket
import tarfile
import threading
import time
import uuid

import docker.errors
import pytest

import worker.core.kinds.dockerfile
from lab.packs.scaffold import scaffold
from tests.helpers import sandbox_settings
from worker.core.config import Limits
from worker.core.grading import grade

pytestmark = pytest.mark.docker
APP = b"print('hello from the image')\n"


@pytest.fixture
def challenge(tmp_path):
    return scaffold("abuse", "dockerfile", tmp_path) / "non-root-image"


def run(challenge, dockerfile: str, client, extra: dict | None = None):
    settings = sandbox_settings(limits=Limits(wall_seconds=4, cpu_seconds=3))
    files = {"Dockerfile": dockerfile.encode(), "app.py": APP, **(extra or {})}
    return grade(challenge, files, "submit", settings=settings, client=client)


class Listener:
    """A TCP port on the host that counts who connects (an internal service, a registry)."""

    def __init__(self, answer: bytes = b"") -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self.answer = answer
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits += 1
            with conn:
                if self.answer:
                    conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n%s"
                                 % (len(self.answer), self.answer))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def listener():
    made = []

    def make(answer: bytes = b"") -> Listener:
        made.append(Listener(answer))
        return made[-1]

    yield make
    for one in made:
        one.close()


def test_add_from_a_variable_url_fetches_nothing(challenge, docker_client, listener):
    secret = f"SECRET-{uuid.uuid4().hex}".encode()
    service = listener(secret)
    dockerfile = (f"FROM lab/python\nARG U=http://127.0.0.1:{service.port}/metadata\n"
                  "ADD $U /x\nRUN head /x && false\n")
    result = run(challenge, dockerfile, docker_client)
    assert result.verdict == "rejected" and "line 3: ADD may only copy files" in result.message
    assert service.hits == 0 and secret.decode() not in result.message


@pytest.mark.parametrize("smuggle", [
    # The escape directive makes `\` an ordinary character for the engine.
    "# escape=`\nFROM lab/python\nRUN echo hi \\\nFROM 127.0.0.1:{port}/evil\n",
    # A tab after the instruction word.
    "FROM\t127.0.0.1:{port}/evil\n",
    # A form feed after a backslash does not continue the line for the engine.
    "FROM lab/python\nRUN echo \\\f\nFROM 127.0.0.1:{port}/evil\n",
    # A stage name with a tag is not the stage.
    "FROM lab/python AS base\nFROM base:latest\n",
    # A digest of the allowed base is a pull of it.
    "FROM lab/python@sha256:" + "0" * 64 + "\n",
    # A syntax directive has the engine fetch a frontend.
    "# syntax=127.0.0.1:{port}/frontend\nFROM lab/python\n",
])
def test_no_registry_is_contacted(challenge, docker_client, listener, smuggle):
    registry = listener()
    result = run(challenge, smuggle.format(port=registry.port), docker_client)
    assert result.verdict == "rejected", result.message
    assert registry.hits == 0
    assert result.message.startswith("Dockerfile, line ")


@pytest.fixture
def foreign_image(docker_client):
    """Another image on the engine, holding a secret (in the compose deployment: the
    lab's own image, with every hidden test)."""
    secret = f"HIDDEN-{uuid.uuid4().hex}"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo("secret.txt")
        info.size = len(secret)
        tar.addfile(info, io.BytesIO(secret.encode()))
    tag = f"lab-test-foreign:{uuid.uuid4().hex[:12]}"
    docker_client.api.import_image_from_data(buffer.getvalue(), repository=tag.split(":")[0],
                                             tag=tag.split(":")[1])
    yield tag, secret
    try:
        docker_client.images.remove(tag, force=True)
    except docker.errors.NotFound:
        pass


@pytest.mark.parametrize("template", [
    "FROM lab/python\nCOPY --from={tag} /secret.txt /s\nRUN cat /s && false\n",
    "# escape=`\nFROM lab/python\nRUN echo \\\nCOPY --from={tag} /secret.txt /s\nRUN cat /s && false\n",
    "FROM lab/python\nCOPY --from {tag} /secret.txt /s\nRUN cat /s && false\n",
])
def test_copy_from_a_foreign_image_is_refused(challenge, docker_client, foreign_image, template):
    tag, secret = foreign_image
    result = run(challenge, template.format(tag=tag), docker_client)
    assert result.verdict == "rejected", result.message
    assert secret not in result.message + result.stdout


def test_build_fork_bomb_hits_the_process_cap(challenge, docker_client):
    dockerfile = ("FROM lab/python\n"
                  "RUN for i in $(seq 200); do sleep 3 & done; wait\n")
    started = time.monotonic()
    result = run(challenge, dockerfile, docker_client)
    assert result.verdict == "error", result.message
    assert "the process limit (64) was reached" in result.message
    assert time.monotonic() - started < 20


def test_build_disk_fill_is_stopped(challenge, docker_client):
    # One big file is cut by the file size cap ...
    result = run(challenge, "FROM lab/python\nRUN dd if=/dev/zero of=/big bs=1M count=300\n",
                 docker_client)
    assert result.verdict == "output_limit", result.message
    assert "a build step wrote a file past the 64 MiB file size limit" in result.message
    # ... and many files by the layer cap.
    fill = ("FROM lab/python\nRUN for i in 1 2 3 4 5 6; do "
            "dd if=/dev/zero of=/f$i bs=1M count=60 2>/dev/null; done; sleep 5\n")
    result = run(challenge, fill, docker_client)
    assert result.verdict == "output_limit", result.message
    assert "a build step wrote more than 200 MiB" in result.message


def test_build_output_flood_is_stopped(challenge, docker_client):
    result = run(challenge, "FROM lab/python\nRUN yes lab-flood-line\n", docker_client)
    assert result.verdict == "output_limit", result.message
    assert "the build printed more than 1024 KiB" in result.message


def test_build_memory_hog_is_a_memory_limit(challenge, docker_client):
    hog = "FROM lab/python\nRUN python3 -c \"x = bytearray(900 * 2**20); print(len(x))\"\n"
    result = run(challenge, hog, docker_client)
    assert result.verdict == "memory_limit", result.message


def _log_size(path: str) -> int | None:
    """The size of the container's log file, or None where it cannot be seen.

    The engine rotates a capped log by replacing the file, so for a moment it
    may not exist: look again rather than fail on that moment.
    """
    if not path:
        return None
    for _ in range(20):
        try:
            return os.path.getsize(path)
        except FileNotFoundError:
            time.sleep(0.05)
    return None


@pytest.fixture
def probe_spy(monkeypatch, docker_client):
    """What the main probe container looked like while the probes ran."""
    seen: dict = {}
    original = worker.core.kinds.dockerfile._exec

    def spy(container, command, timeout):
        time.sleep(2)  # let a flood or a health check run for a while
        info = docker_client.api.inspect_container(container.id)
        seen["host_config"] = info["HostConfig"]
        seen["health"] = (info["State"].get("Health") or {}).get("Log") or []
        log = info.get("LogPath") or ""
        seen["log_bytes"] = _log_size(log)
        return original(container, command, timeout)

    monkeypatch.setattr(worker.core.kinds.dockerfile, "_exec", spy)
    return seen


def test_probe_log_flood_is_capped(challenge, docker_client, probe_spy):
    result = run(challenge, 'FROM lab/python\nUSER 10001\nCMD ["yes", "flood"]\n', docker_client)
    assert result.verdict in ("failed", "passed"), result.message
    assert probe_spy["host_config"]["LogConfig"]["Config"].get("max-size") == "256k"
    if probe_spy["log_bytes"] is not None:  # the log file is visible when tests run as root
        assert probe_spy["log_bytes"] <= 300 * 1024


def test_health_check_is_not_run_by_the_engine(challenge, docker_client, probe_spy):
    dockerfile = ('FROM lab/python\nCOPY app.py /app/app.py\nUSER 10001\n'
                  'HEALTHCHECK --interval=1ms CMD ["true"]\n'
                  'CMD ["python3", "-c", "import time; print(\'hello from the image\'); time.sleep(30)"]\n')
    result = run(challenge, dockerfile, docker_client)
    # A long-running command (so a health check would fire) is not the asked-for CMD.
    assert [t.name for t in result.tests if t.outcome != "passed"] == ["test_exec_form_cmd"]
    assert probe_spy["health"] == []


def test_volume_leaves_nothing_behind(challenge, docker_client, monkeypatch):
    holders = []
    original = worker.core.kinds.dockerfile.start_holder
    monkeypatch.setattr(worker.core.kinds.dockerfile, "start_holder",
                        lambda *a, **k: holders.append(original(*a, **k)) or holders[-1])
    before = {v.id for v in docker_client.volumes.list()}
    dockerfile = ('FROM lab/python\nCOPY app.py /app/app.py\nVOLUME /data\nRUN true\nUSER 10001\n'
                  'CMD ["python3", "/app/app.py"]\n')
    result = run(challenge, dockerfile, docker_client)
    assert result.verdict == "passed", result.message
    left = {v.id for v in docker_client.volumes.list()} - before
    assert left == set()
    assert len(holders) == 1  # the RUN step ran under a holder, which is gone too
    with pytest.raises(docker.errors.NotFound):
        docker_client.api.inspect_container(holders[0])


def test_entrypoint_that_cannot_start_is_the_candidates_error(challenge, docker_client):
    dockerfile = ('FROM lab/python\nCOPY app.py /app/app.py\nUSER 10001\n'
                  'ENTRYPOINT ["/app/app.py"]\n')
    result = run(challenge, dockerfile, docker_client)
    assert result.verdict != "infra_error", result.message
    assert result.verdict == "failed"


# --- The lab's reading of a Dockerfile agrees with the engine's ---------------------------
# Each text is allowed, so the engine builds it; its "Step i/N : WORD" lines say which
# instructions it saw, and they must be the ones the policy checked.
AGREEMENT = [
    "FROM lab/python\nRUN echo a \\\n# a comment inside the continuation\n\n   b\nUSER 10001\n",
    "\ufeffFROM lab/python\r\nENV A=1 \\\r\n    B=2\r\nCMD [\"true\"]\r\n",
    "  from\tlab/python  \n\tlabel a=b\nrun echo \\  \t\nworkdir /x\n",
    "FROM lab/python AS one\nFROM lab/python\nCOPY --from=one /etc/hostname /h\n"
    "COPY --from=0 /etc/passwd /x\n",
    "# just a comment\n\nFROM lab/python\nRUN echo '\\\\' \\\n && echo done\nEXPOSE 80\n",
    "FROM lab/python\nHEALTHCHECK --interval=30s \\\n  CMD [\"true\"]\nONBUILD RUN echo later\n",
]


@pytest.mark.parametrize("text", AGREEMENT)
def test_policy_reads_instructions_as_the_engine_does(docker_client, text):
    from worker.core.images import runner_image_tag
    from worker.core.kinds.dockerfile import ensure_base_aliases
    from worker.core.kinds.dockerfile_build import Build, remove_build_images
    from worker.core.kinds.dockerfile_policy import check

    ensure_base_aliases(docker_client, runner_image_tag("python"))
    ours = [i.word for i in check(text)]
    tag = f"lab-candidate-agree-{uuid.uuid4().hex[:12]}"
    build = Build(docker_client, 60)
    try:
        error = build.run({"Dockerfile": text.encode()}, tag, Limits())
    finally:
        remove_build_images(docker_client, build, tag)
    assert error is None, build.message()
    log = re.sub(r"\x1b\[[0-9;]*m", "", build.message())  # the engine colours its warnings
    steps = re.findall(r"^Step \d+/(\d+) : (\S+)", log, re.M)
    words = [word.lower() for _, word in steps]
    # The engine adds the lab's own labels (the reaper's three) as LABEL steps at the end.
    assert words == [*ours, "label", "label", "label"], build.message()
    assert {int(total) for total, _ in steps} == {len(ours) + 3}

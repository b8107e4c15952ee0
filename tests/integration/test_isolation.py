"""Sandbox promises, each attacked from inside a submission: no network, not root,
no capabilities, no writable place but the scratch tmpfs, no host secrets or socket,
tests read-only, no leftovers."""

import json
import os

import pytest

from tests.helpers import GOOD_ADD, RUNTIME, sandbox_settings

pytestmark = pytest.mark.docker

PROBE = r'''
import ctypes, json, os, socket

facts = {"uid": os.getuid(), "euid": os.geteuid(), "gid": os.getgid(),
         "groups": os.getgroups(), "env": sorted(os.environ)}
status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
facts["cap_eff"] = status["CapEff"].strip()
facts["cap_prm"] = status["CapPrm"].strip()
# prctl rather than /proc/self/status: gVisor's status file has no NoNewPrivs line.
PR_GET_NO_NEW_PRIVS = 39
facts["no_new_privs"] = str(ctypes.CDLL(None, use_errno=True).prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0))
try:
    os.setuid(0)
    facts["setuid0"] = "worked"
except OSError as exc:
    facts["setuid0"] = type(exc).__name__
facts["interfaces"] = sorted(os.listdir("/sys/class/net"))
try:
    socket.create_connection(("1.1.1.1", 53), timeout=1).close()
    facts["tcp_out"] = "connected"
except OSError as exc:
    facts["tcp_out"] = type(exc).__name__
try:
    socket.getaddrinfo("example.com", 80)
    facts["dns"] = "resolved"
except OSError as exc:
    facts["dns"] = type(exc).__name__
facts["docker_sock"] = os.path.exists("/var/run/docker.sock") or os.path.exists("/run/docker.sock")
writable_dirs = []
for top in ("/", "/etc", "/usr", "/var", "/opt", "/sandbox", "/home", "/root", "/srv", "/run",
            "/tmp", "/dev/shm", "/var/tmp", "/run/lock", "/dev/mqueue"):
    for root, dirs, files in os.walk(top):
        if root.startswith(("/proc", "/sys")):
            dirs[:] = []
            continue
        probe = os.path.join(root, ".w")
        try:
            fd = os.open(probe, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
            os.unlink(probe)
            writable_dirs.append(root)
        except OSError:
            pass
        if top == "/":
            dirs[:] = []
facts["writable_dirs"] = sorted(set(writable_dirs))
try:
    open("/judge/tests/public/test_public.py", "a").close()
    facts["tests_writable"] = True
except OSError:
    facts["tests_writable"] = False
try:
    open("/judge/tests/public/test_public.py").read()
    facts["tests_readable"] = True
except OSError:
    facts["tests_readable"] = False
try:
    open("/sandbox/solution.py", "a").close()
    facts["own_file_writable"] = True
except OSError:
    facts["own_file_writable"] = False
try:
    os.kill(1, 9)
    facts["kill_pid1"] = "sent"
except OSError as exc:
    facts["kill_pid1"] = type(exc).__name__
try:
    entries = os.listdir("/proc/1/fd")
    facts["pid1_fds"] = "listed"
except OSError as exc:
    entries, facts["pid1_fds"] = [], type(exc).__name__
opened = []
for fd in entries:  # reopening what the supervisor holds (gVisor lets the names be read)
    path = f"/proc/1/fd/{fd}"
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    for flags in (os.O_RDONLY, os.O_WRONLY):
        try:
            os.close(os.open(path, flags | os.O_NONBLOCK))
            if target != "/dev/null":
                opened.append(f"{fd} -> {target} ({flags})")
        except OSError:
            pass
facts["pid1_fds_opened"] = opened
facts["mounts"] = [line.split()[4] for line in open("/proc/self/mountinfo")]
facts["kernel"] = open("/proc/version").read()
print("FACTS" + json.dumps(facts))


def add(a, b):
    return a + b
'''


@pytest.fixture(scope="module")
def facts(tmp_path_factory, docker_client):
    from tests.helpers import write_challenge
    from worker.core.config import Limits
    from worker.core.grading import grade

    os.environ["LAB_HOST_CANARY"] = "host-secret-value"
    challenge = write_challenge(tmp_path_factory.mktemp("iso") / "c")
    result = grade(challenge, {"solution.py": PROBE.encode()}, "run",
                   settings=sandbox_settings(limits=Limits(wall_seconds=20, cpu_seconds=15)),
                   client=docker_client)
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith("FACTS")), None)
    assert line, result.to_json()
    assert result.verdict == "passed"
    return json.loads(line[5:])


def test_the_sandbox_runs_under_the_runtime_being_tested(facts):
    """`make test` repeats this module with LAB_RUNTIME=runsc: that pass proves nothing
    unless the submission really met gVisor's kernel, which answers /proc/version
    itself; under runc the sandbox shares the host's kernel and its version."""
    with open("/proc/version") as host:
        host_kernel = host.read()
    if RUNTIME == "runsc":
        assert facts["kernel"] != host_kernel, facts["kernel"]
    else:
        assert facts["kernel"] == host_kernel, facts["kernel"]


def test_not_root_and_no_capabilities(facts):
    assert facts["uid"] == facts["euid"] == 10001 and facts["gid"] == 10001
    assert facts["groups"] == []
    assert int(facts["cap_eff"], 16) == 0 and int(facts["cap_prm"], 16) == 0
    assert facts["no_new_privs"] == "1"
    assert facts["setuid0"] == "PermissionError"


def test_no_network(facts):
    assert facts["interfaces"] == ["lo"]
    assert facts["tcp_out"] != "connected"
    assert facts["dns"] != "resolved"


def test_no_host_environment_or_socket(facts):
    assert "LAB_HOST_CANARY" not in facts["env"]
    assert set(facts["env"]) <= {"PATH", "LANG", "HOME", "TMPDIR", "PYTHONDONTWRITEBYTECODE",
                                 "PYTHONUNBUFFERED", "PYTEST_DISABLE_PLUGIN_AUTOLOAD", "LC_CTYPE"}
    assert facts["docker_sock"] is False
    assert not any(m.startswith(("/work", "/root", "/home", "/var/lib/docker"))
                   for m in facts["mounts"])


def test_only_size_capped_scratch_is_writable(facts):
    assert set(facts["writable_dirs"]) <= {"/tmp", "/dev/shm", "/dev/mqueue"}
    assert facts["tests_writable"] is False
    assert facts["tests_readable"] is False
    assert facts["own_file_writable"] is False


def test_supervisor_is_out_of_reach(facts):
    assert facts["kill_pid1"] == "PermissionError"
    assert facts["pid1_fds_opened"] == []
    if RUNTIME != "runsc":  # gVisor shows the names of another user's fds, never the files
        assert facts["pid1_fds"] == "PermissionError"


def test_no_leftover_containers_after_a_batch(make_challenge, grade_text, docker_client):
    challenge = make_challenge(limits={"wall_seconds": 1})
    sources = [GOOD_ADD, "import time\ndef add(a, b):\n    time.sleep(9)\n",
               "def add(a, b):\n    return 0\n", "import os\nos._exit(3)\n"]
    verdicts = [grade_text(challenge, s).verdict for s in sources]
    assert verdicts[0] == "passed" and "passed" not in verdicts[1:]
    from worker.core.sandbox import OWNER_LABEL, owner_id

    # ours only: other graders may share the engine
    assert docker_client.containers.list(all=True, filters={"label": f"{OWNER_LABEL}={owner_id()}"}) == []

"""The judge/candidate boundary, attacked through the operating system: the candidate's
process looks for the hidden tests on disk and tries to signal, trace or read the judge
through /proc (under runc and gVisor, whose /proc shows more).  The submissions, the
challenge and the `submit` fixture are test_separation.py's."""

import json

from tests.helpers import RUNTIME
from tests.integration.test_separation import (  # noqa: F401 - fixtures used by name
    HONEST,
    SECRET,
    challenge,
    settings_,
    submit,
)


def test_hidden_tests_are_not_readable_by_the_candidate(submit):  # noqa: F811 - the fixture
    probe = HONEST + r'''
import glob, json, os
found = {}
for path in ["/judge", "/judge/tests", "/judge/tests/hidden/test_hidden.py", "/sandbox/tests",
             "/opt/lab-runner/tests"]:
    try:
        found[path] = sorted(os.listdir(path)) if os.path.isdir(path) else open(path).read()[:50]
    except OSError as exc:
        found[path] = type(exc).__name__
TOPS = ("/judge", "/sandbox", "/opt", "/tmp", "/etc", "/usr/local", "/var", "/home", "/root", "/run")
found["glob"] = [hit for top in TOPS for hit in glob.glob(top + "/**/test_hidden*", recursive=True)]
print("FOUND" + json.dumps(found))
'''
    result = submit(probe, mode="run")
    line = next(ln for ln in result.stdout.splitlines() if ln.startswith("FOUND"))
    found = json.loads(line[5:])
    assert found["/judge"] == "PermissionError"
    assert found["/judge/tests"] == found["/judge/tests/hidden/test_hidden.py"] == "PermissionError"
    assert found["/sandbox/tests"] == "FileNotFoundError"
    assert found["glob"] == []
    assert result.verdict == "passed"


def test_the_judge_cannot_be_signalled_traced_or_read(submit):  # noqa: F811 - the fixture
    probe = HONEST + r'''
import ctypes, json, os, signal
found = {}
judges = []
for pid in os.listdir("/proc"):
    if pid.isdigit():
        try:
            status = open(f"/proc/{pid}/status").read()
        except OSError:
            continue
        uid = int(re.search(r"Uid:\s+(\d+)", status).group(1))
        if uid == 10000:
            judges.append(int(pid))
found["judges"] = len(judges)
for pid in judges:
    for what in ("environ", "mem", "maps", "fd", "cwd", "root"):
        path = f"/proc/{pid}/{what}"
        try:
            os.listdir(path) if what in ("fd", "cwd", "root") else open(path, "rb").read(16)
            found[what] = "read"
        except OSError as exc:
            found[what] = type(exc).__name__
    try:
        found["environ_text"] = open(f"/proc/{pid}/environ", "rb").read().decode(errors="replace")
    except OSError:
        found["environ_text"] = ""
    found["own_environ"] = open("/proc/self/environ", "rb").read().decode(errors="replace")
    found["fds_opened"] = []
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        fds = []
    for fd in fds:
        for flags in (os.O_RDONLY, os.O_WRONLY):
            try:
                os.close(os.open(f"/proc/{pid}/fd/{fd}", flags | os.O_NONBLOCK))
                if os.readlink(f"/proc/{pid}/fd/{fd}") != "/dev/null":
                    found["fds_opened"].append(fd)
            except OSError:
                pass
    try:
        os.kill(pid, signal.SIGKILL)
        found["kill"] = "sent"
    except OSError as exc:
        found["kill"] = type(exc).__name__
    libc = ctypes.CDLL(None, use_errno=True)
    found["ptrace"] = libc.ptrace(16, pid, 0, 0)  # PTRACE_ATTACH: -1 when refused
    found["cmdline"] = open(f"/proc/{pid}/cmdline", "rb").read().decode(errors="replace")
print("FOUND" + json.dumps(found))
'''
    result = submit("import re\n" + probe, mode="run")
    line = next(ln for ln in result.stdout.splitlines() if ln.startswith("FOUND"))
    found = json.loads(line[5:])
    assert found["judges"] >= 1
    for what in ("mem", "cwd", "root", "kill"):
        assert found[what] == "PermissionError", (what, found)
    assert found["fds_opened"] == [], found
    if RUNTIME == "runsc":
        # gVisor lets another user read a process's environment and memory map and list
        # its fds' names: the judge's environment is the fixed one the candidate has too
        # (names and values), and its memory stays unreadable (mem, ptrace above).
        judge_env = set(found["environ_text"].split("\0")) - {""}
        assert judge_env and judge_env <= set(found["own_environ"].split("\0")), found
        assert SECRET not in found["environ_text"]
    else:
        for what in ("environ", "maps", "fd"):
            assert found[what] == "PermissionError", (what, found)
    assert found["ptrace"] == -1
    assert "hidden" not in found["cmdline"] and SECRET not in found["cmdline"]
    assert result.verdict == "passed", result.to_json()

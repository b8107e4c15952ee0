"""PID 1 of a grading container.

It starts as root holding only CAP_SETUID and CAP_SETGID (every other capability is
dropped by the engine), forks the test process, drops that child to the `candidate`
user and itself to the `grader` user, and from then on only watches:

* the child's stdout/stderr (one pipe, counted and capped),
* the results pipe on which the project's pytest plugin streams one JSON line per
  event (collected ids, each test phase, the end of the session),
* the wall clock.

Armed mode (a warm pool container, see worker/pool.py): the child is forked at once and
pays for the interpreter and pytest imports, then waits on a pipe only this process can
write.  The supervisor stays root (still only SETUID/SETGID) and reads one line from its
own stdin, which only the engine's attach stream (the host) can write: the files, the
test paths and the visibility.  It writes the files root-owned and read-only to the
candidate into /sandbox, drops to `grader`, starts the wall clock and only then passes
the go on to the child.  No candidate file exists in the container before that line
arrives, so no candidate code can run, forge or pre-empt it.

When the child exits, a limit is hit or the clock runs out, it prints one JSON report
(one line) on its own stdout and exits.  Its stdout is the container log (and, armed,
the attach stream), which a process of another user cannot reach, so nothing the
candidate prints or writes to a file can stand in for this report.  Exiting as PID 1
tears the PID namespace down, which kills whatever the candidate left running: the
supervisor never needs to signal another user's process.

Runs under the sandbox image's python3 (3.11+), standard library only.
"""

from __future__ import annotations

import base64
import hmac
import json
import os
import resource
import secrets
import select
import signal
import sys
import time
from typing import NoReturn

RUNNER_DIR = "/opt/lab-runner"
WORK_DIR = "/sandbox"
RESULTS_FD = 3  # where the child finds the results pipe
KEY_FD = 4  # where the child reads the per-run signing key, once
GO_FD = 5  # armed mode: where the child waits for the go (test paths, visibility)
READY_FD = 6  # armed mode: where the child says its imports are done (and its CPU so far)
GO_CAP = 32 * 1024 * 1024  # bytes of the go line accepted from the host
ARM_SECONDS = 120  # an armed child that is not ready by then is broken
ARM_CPU_SLACK = 10  # CPU seconds the armed child may spend before go (imports)
RESULTS_CAP = 4 * 1024 * 1024  # bytes of result events accepted from the child
CHUNK = 65536


def _drop_to(uid: int, gid: int) -> None:
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)


def _child(job: dict, out_w: int, res_w: int, key_r: int, go_r: int, ready_w: int) -> None:
    """In the forked child: become the candidate, set limits, exec pytest."""
    try:
        os.setsid()
        _drop_to(job["candidate_uid"], job["candidate_uid"])
        cpu = int(job["cpu_seconds"])
        armed = go_r >= 0
        if armed:
            # The imports before go need CPU too; at go lab_child lowers this to the
            # candidate's budget counted from there (a process may always lower it).
            cpu += ARM_CPU_SLACK
        # Soft limit sends SIGXCPU, hard limit one second later SIGKILL.
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        fsize = int(job["file_size_bytes"])
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        nofile = int(job["open_files"])
        resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
        # Move the pipes out of the way, then put them where the child expects them.
        out_hi = os.dup(out_w)
        res_hi = os.dup(res_w)
        key_hi = os.dup(key_r)
        go_hi = os.dup(go_r) if armed else -1
        ready_hi = os.dup(ready_w) if armed else -1
        devnull = os.open("/dev/null", os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(out_hi, 1)
        os.dup2(out_hi, 2)
        os.dup2(res_hi, RESULTS_FD)
        os.dup2(key_hi, KEY_FD)
        if armed:
            os.dup2(go_hi, GO_FD)
            os.dup2(ready_hi, READY_FD)
        os.closerange((READY_FD if armed else KEY_FD) + 1, 65536)
        os.chdir(WORK_DIR)
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "HOME": "/tmp",
            "TMPDIR": "/tmp",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
            "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        }
        if armed:
            args = json.dumps({"armed": True, "fd": RESULTS_FD, "go_fd": GO_FD,
                               "ready_fd": READY_FD, "cpu_seconds": int(job["cpu_seconds"])})
        else:
            args = json.dumps({"test_paths": job["test_paths"], "visibility": job["visibility"],
                               "fd": RESULTS_FD})
        os.execve(
            sys.executable,
            [sys.executable, "-I", "-X", "utf8", f"{RUNNER_DIR}/lab_child.py", args],
            env,
        )
    except BaseException:  # noqa: BLE001 - nothing may escape a forked child
        os._exit(127)


def _cgroup_counter(paths: list[str], key: str) -> int:
    """Read `key N` from the first readable cgroup file (v1 or v2 layout)."""
    for path in paths:
        try:
            with open(path) as handle:
                for line in handle:
                    parts = line.split()
                    if len(parts) == 2 and parts[0] == key:
                        return int(parts[1])
        except (OSError, ValueError):
            continue
    return 0


def _verified_events(raw: bytes, key: bytes) -> tuple[list[dict], list[str]]:
    """Keep the events whose signature and sequence number check out."""
    events: list[dict] = []
    problems: list[str] = []
    lines = raw.split(b"\n")
    if lines and lines[-1]:
        problems.append("the last result line is truncated")
    for line in lines[:-1]:
        mac, _, body = line.partition(b" ")
        expected = hmac.digest(key, body, "sha256").hex().encode()
        if not hmac.compare_digest(mac, expected):
            problems.append("a result line is not signed by the results plugin")
            continue
        try:
            event = json.loads(body)
        except ValueError:
            problems.append("a signed result line is not JSON")
            continue
        if not isinstance(event, dict) or event.get("seq") != len(events) + 1:
            problems.append("result lines are out of sequence")
            continue
        events.append(event)
    return events, problems[:20]


def _scratch_full() -> bool:
    try:
        st = os.statvfs("/tmp")
    except OSError:
        return False
    return st.f_bavail == 0 or st.f_favail == 0


def _fail(message: str, code: int) -> NoReturn:
    """Armed mode gave up before go: say why on stderr, print no report.  The host
    reads a missing report as our failure (infra_error), never the candidate's."""
    os.write(2, f"lab-supervisor: {message}\n".encode())
    os._exit(code)


def _await_ready(ready_r: int) -> float:
    """Block until the armed child's imports are done; its CPU seconds so far."""
    deadline = time.monotonic() + ARM_SECONDS
    data = b""
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([ready_r], [], [], remaining)[0]:
            _fail("the armed child was not ready in time", 3)
        chunk = os.read(ready_r, 64)
        if not chunk:
            break
        data += chunk
    os.close(ready_r)
    try:
        return float(data)
    except ValueError:
        _fail("the armed child failed before it was ready", 3)


def _await_go() -> dict:
    """One JSON line on stdin: only the host holds the attach stream that writes it.
    End of file means the host let go of this container (or died): leave quietly."""
    line = bytearray()
    while b"\n" not in line:
        chunk = os.read(0, CHUNK)
        if not chunk:
            os._exit(0)
        line.extend(chunk)
        if len(line) > GO_CAP:
            _fail("the go line is too long", 5)
    try:
        go = json.loads(bytes(line).split(b"\n", 1)[0])
        if not isinstance(go.get("files"), dict):
            raise ValueError("no files")
    except (ValueError, AttributeError) as exc:
        _fail(f"the go line is unusable: {exc}", 5)
    return go


def _write_files(files: dict) -> None:
    """Still root (owner of /sandbox, no other capability): every file root-owned, 0644,
    every folder 0755, so the candidate can read and never change them, as when the
    host copies them in before start.  Paths were checked on the host; checked again."""
    for rel, encoded in sorted(files.items()):
        parts = rel.split("/")
        if rel.startswith("/") or any(part in ("", ".", "..") for part in parts):
            raise ValueError(f"refused path {rel!r}")
        folder = WORK_DIR
        for part in parts[:-1]:
            folder = os.path.join(folder, part)
            try:
                os.mkdir(folder, 0o755)
            except FileExistsError:
                pass
            os.chmod(folder, 0o755, follow_symlinks=False)
        fd = os.open(os.path.join(WORK_DIR, rel),
                     os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        try:
            view = memoryview(base64.b64decode(encoded, validate=True))
            while view:
                view = view[os.write(fd, view):]
            os.fchmod(fd, 0o644)
        finally:
            os.close(fd)


def _arm(job: dict, pid: int, ready_r: int) -> float:
    """Armed mode up to go: returns the child's CPU seconds spent before it."""
    pre_cpu = _await_ready(ready_r)
    os.write(2, b"armed\n")  # the pool hands this container out only after this line
    go = _await_go()
    if os.waitpid(pid, os.WNOHANG)[0]:
        _fail("the armed child died before go", 4)
    try:
        _write_files(go["files"])
    except (OSError, ValueError) as exc:
        _fail(f"could not write the files: {exc}", 5)
    job.update(test_paths=go["test_paths"], visibility=go["visibility"],
               output_keep_bytes=go["output_keep_bytes"])
    return pre_cpu


def _go(job: dict, go_w: int) -> None:
    """Tell the armed child to run: the test paths and visibility, then end of file."""
    data = json.dumps({"test_paths": job["test_paths"], "visibility": job["visibility"]})
    try:
        os.write(go_w, data.encode())
        os.close(go_w)
    except OSError:
        _fail("the armed child is gone", 4)


def main() -> None:
    job = json.loads(sys.argv[1])
    armed = bool(job.get("armed"))
    out_r, out_w = os.pipe()
    res_r, res_w = os.pipe()
    key_r, key_w = os.pipe()
    go_r, go_w = os.pipe() if armed else (-1, -1)
    ready_r, ready_w = os.pipe() if armed else (-1, -1)
    key = secrets.token_bytes(32)
    os.write(key_w, key)
    os.close(key_w)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        for fd in (out_r, res_r, go_w, ready_r):
            if fd >= 0:
                os.close(fd)
        _child(job, out_w, res_w, key_r, go_r, ready_w)
    for fd in (out_w, res_w, key_r, go_r, ready_w):
        if fd >= 0:
            os.close(fd)
    pre_cpu = _arm(job, pid, ready_r) if armed else 0.0
    _drop_to(job["grader_uid"], job["grader_uid"])
    if armed:
        started = time.monotonic()  # the candidate's clock starts at go, not at arming
        _go(job, go_w)

    output = bytearray()
    output_total = 0
    output_keep = int(job["output_keep_bytes"])
    output_limit = int(job["output_bytes"])
    results = bytearray()
    results_overflow = False
    limit_hit = None
    status = None
    rusage = None
    deadline = started + float(job["wall_seconds"])
    open_fds = {out_r, res_r}

    def take(fd: int) -> None:
        nonlocal output_total, results_overflow
        try:
            data = os.read(fd, CHUNK)
        except OSError:
            data = b""
        if not data:
            open_fds.discard(fd)
            return
        if fd == out_r:
            output_total += len(data)
            room = output_keep - len(output)
            if room > 0:
                output.extend(data[:room])
        elif len(results) + len(data) > RESULTS_CAP:
            results_overflow = True
        else:
            results.extend(data)

    while True:
        done, st, ru = os.wait4(pid, os.WNOHANG)
        if done:
            status, rusage = st, ru
            break
        if output_total > output_limit:
            limit_hit = "output"
            break
        if results_overflow:
            break
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            limit_hit = "wall"
            break
        if open_fds:
            ready, _, _ = select.select(list(open_fds), [], [], min(remaining, 0.05))
            for fd in ready:
                take(fd)
        else:
            time.sleep(min(remaining, 0.01))
    # Drain what is already buffered without waiting for writers that outlive the child.
    for _ in range(256):
        if not open_fds:
            break
        ready, _, _ = select.select(list(open_fds), [], [], 0)
        if not ready:
            break
        for fd in ready:
            take(fd)
    if output_total > output_limit and limit_hit is None:
        limit_hit = "output"

    events, problems = _verified_events(bytes(results), key)
    child = None
    if status is not None:
        child = {
            "exit_code": os.waitstatus_to_exitcode(status),
            "cpu_seconds": round(max(0.0, rusage.ru_utime + rusage.ru_stime - pre_cpu), 3),
        }
    report = {
        "runner": "lab-supervisor/1",
        "child": child,
        "limit_hit": limit_hit,
        "elapsed": round(time.monotonic() - started, 4),
        "output": output.decode("utf-8", "replace"),
        "output_bytes": output_total,
        "events": events,
        "forged": problems,
        "results_overflow": results_overflow,
        "oom_kills": _cgroup_counter(
            ["/sys/fs/cgroup/memory/memory.oom_control", "/sys/fs/cgroup/memory.events"],
            "oom_kill",
        ),
        "pids_max_hits": _cgroup_counter(
            ["/sys/fs/cgroup/pids/pids.events", "/sys/fs/cgroup/pids.events"], "max"
        ),
        "scratch_full": _scratch_full(),
    }
    # One line: the pool's host side reads up to the newline instead of waiting for exit.
    data = json.dumps(report).encode() + b"\n"
    view = memoryview(data)
    while view:
        view = view[os.write(1, view) :]
    os._exit(0)


if __name__ == "__main__":
    main()

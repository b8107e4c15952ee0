"""PID 1 of a grading container.

It starts as root holding only CAP_SETUID and CAP_SETGID (every other capability is
dropped by the engine), forks the test process, drops that child to the `candidate`
user and itself to the `grader` user, and from then on only watches:

* the child's stdout/stderr (one pipe, counted and capped),
* the results pipe on which the project's pytest plugin streams one JSON line per
  event (collected ids, each test phase, the end of the session),
* the wall clock.

When the child exits, a limit is hit or the clock runs out, it prints one JSON report
on its own stdout and exits.  Its stdout is the container log, which a process of
another user cannot reach, so nothing the candidate prints or writes to a file can
stand in for this report.  Exiting as PID 1 tears the PID namespace down, which kills
whatever the candidate left running: the supervisor never needs to signal another
user's process.

Runs under the sandbox image's python3 (3.11+), standard library only.
"""

from __future__ import annotations

import hmac
import json
import os
import resource
import secrets
import select
import signal
import sys
import time

RUNNER_DIR = "/opt/lab-runner"
WORK_DIR = "/sandbox"
RESULTS_FD = 3  # where the child finds the results pipe
KEY_FD = 4  # where the child reads the per-run signing key, once
RESULTS_CAP = 4 * 1024 * 1024  # bytes of result events accepted from the child
CHUNK = 65536


def _drop_to(uid: int, gid: int) -> None:
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)


def _child(job: dict, out_w: int, res_w: int, key_r: int) -> None:
    """In the forked child: become the candidate, set limits, exec pytest."""
    try:
        os.setsid()
        _drop_to(job["candidate_uid"], job["candidate_uid"])
        cpu = int(job["cpu_seconds"])
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
        devnull = os.open("/dev/null", os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(out_hi, 1)
        os.dup2(out_hi, 2)
        os.dup2(res_hi, RESULTS_FD)
        os.dup2(key_hi, KEY_FD)
        os.closerange(KEY_FD + 1, 65536)
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
        args = json.dumps(
            {"test_paths": job["test_paths"], "visibility": job["visibility"], "fd": RESULTS_FD}
        )
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


def main() -> None:
    job = json.loads(sys.argv[1])
    out_r, out_w = os.pipe()
    res_r, res_w = os.pipe()
    key_r, key_w = os.pipe()
    key = secrets.token_bytes(32)
    os.write(key_w, key)
    os.close(key_w)
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.close(out_r)
        os.close(res_r)
        _child(job, out_w, res_w, key_r)
    os.close(out_w)
    os.close(res_w)
    os.close(key_r)
    _drop_to(job["grader_uid"], job["grader_uid"])
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)

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
            "cpu_seconds": round(rusage.ru_utime + rusage.ru_stime, 3),
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
    data = json.dumps(report).encode()
    view = memoryview(data)
    while view:
        view = view[os.write(1, view) :]
    os._exit(0)


if __name__ == "__main__":
    main()

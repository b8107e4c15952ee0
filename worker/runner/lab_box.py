"""The container as PID 1 sees it: users, limits it reads, files it writes, programs it runs.

Helpers of lab_supervisor (standard library only, no state): dropping to a user, starting
the runner's Python programs, reading the cgroup's counters, writing the go line's files
with the ownership the threat model needs.
"""

from __future__ import annotations

import base64
import json
import os
import sys
from typing import NoReturn

RUNNER_DIR = "/opt/lab-runner"


def drop_to(uid: int, gid: int) -> None:
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)


def exec_python(script: str, args: dict, env_extra: dict | None = None) -> NoReturn:
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/tmp",
           "TMPDIR": "/tmp", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1",
           "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", **(env_extra or {})}
    # -I ignores PYTHON* variables, so unbuffered output (-u: what a process printed is in
    # the pipe when it is killed) and no bytecode files (-B) are asked for as flags.
    os.execve(sys.executable, [sys.executable, "-I", "-u", "-B", "-X", "utf8",
                               f"{RUNNER_DIR}/{script}", json.dumps(args)], env)


def cgroup_counter(paths: list[str], key: str) -> int:
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


def oom_kills() -> int:
    return cgroup_counter(["/sys/fs/cgroup/memory/memory.oom_control",
                            "/sys/fs/cgroup/memory.events"], "oom_kill")


def pids_max_hits() -> int:
    return cgroup_counter(["/sys/fs/cgroup/pids/pids.events", "/sys/fs/cgroup/pids.events"], "max")


def scratch_full() -> bool:
    try:
        st = os.statvfs("/tmp")
    except OSError:
        return False
    # gVisor's tmpfs reports no inode counts at all (0 of 0): that is not "full".
    return st.f_bavail == 0 or (st.f_files > 0 and st.f_favail == 0)


def fail(message: str, code: int) -> NoReturn:
    """Gave up before go: say why on stderr, print no report.  The host reads a missing
    report as our failure (infra_error), never the candidate's."""
    os.write(2, f"lab-supervisor: {message}\n".encode())
    os._exit(code)


def write_tree(root: str, files: dict, group: int) -> None:
    """Still root (owner of / and /sandbox, no capability but SETUID/SETGID): files
    root-owned, readable by `group` (and everyone when group is 0), never writable by
    the candidate.  Paths were checked on the host; checked again."""
    mode_file, mode_dir = (0o644, 0o755) if group == 0 else (0o640, 0o750)
    os.setegid(group)  # new files and folders take this group
    try:
        try:
            os.mkdir(root, mode_dir)
        except FileExistsError:
            pass
        os.chmod(root, mode_dir)
        for rel, encoded in sorted(files.items()):
            parts = rel.split("/")
            if rel.startswith("/") or any(part in ("", ".", "..") for part in parts):
                raise ValueError(f"refused path {rel!r}")
            folder = root
            for part in parts[:-1]:
                folder = os.path.join(folder, part)
                try:
                    os.mkdir(folder, mode_dir)
                except FileExistsError:
                    pass
                os.chmod(folder, mode_dir, follow_symlinks=False)
            fd = os.open(os.path.join(root, rel),
                         os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode_file)
            try:
                view = memoryview(base64.b64decode(encoded, validate=True))
                while view:
                    view = view[os.write(fd, view):]
                os.fchmod(fd, mode_file)
            finally:
                os.close(fd)
    finally:
        os.setegid(0)



"""The candidate's processes and memory, counted from /proc by PID 1.

Under runc the engine's cgroup counts both (pids.events, memory.events), and the kernel
enforces them.  Under gVisor (runsc) the cgroup sits around the user-space kernel as a
whole: its own host threads count against the pids cap, and the container sees no cgroup
files at all.  There PID 1 meters the candidate itself: RLIMIT_NPROC (which gVisor's
kernel enforces per user, inside this sandbox only) caps the processes, and the sandbox's
memory, read from gVisor's /proc/meminfo, over the limit gets the candidate killed.
Standard library only.
"""

from __future__ import annotations

import os

MEMINFO = "/proc/meminfo"


def candidate_processes(uid: int) -> int:
    """How many processes `uid` has."""
    try:
        names = os.listdir("/proc")
    except OSError:
        return 0
    processes = 0
    for name in names:
        if not name.isdigit():
            continue
        try:
            if os.stat(f"/proc/{name}").st_uid == uid:
                processes += 1
        except OSError:
            continue  # gone meanwhile
    return processes


def memory_in_use(meminfo: str = MEMINFO) -> int:
    """Bytes of memory the sandbox uses: MemTotal - MemFree of gVisor's /proc/meminfo,
    which its kernel keeps for this sandbox alone, each page once (like the cgroup's
    count under runc: every process of the container, the scratch tmpfs included).
    A sum of the processes' resident sizes would not do: after fork, parent and children
    share their pages, and ten children of a 100 MiB parent would add up to over 1 GiB."""
    try:
        with open(meminfo, "rb") as handle:
            fields = dict(line.split(b":", 1) for line in handle if b":" in line)
        total = int(fields[b"MemTotal"].split()[0])
        free = int(fields[b"MemFree"].split()[0])
    except (OSError, KeyError, ValueError, IndexError):
        return 0
    return max(0, total - free) * 1024


class ProcMeter:
    """Counts, per candidate start, the limit hits the cgroup counters would have shown."""

    def __init__(self, uid: int, max_processes: int, max_bytes: int,
                 meminfo: str = MEMINFO) -> None:
        self.uid = uid
        self.meminfo = meminfo
        self.max_processes = max_processes
        self.max_bytes = max_bytes
        self.oom_kills = 0
        self.pids_hits = 0

    def over(self) -> bool:
        """Look once; True when the candidate is over its memory (it must be killed).
        Reaching the process cap only counts a hit: the kernel already refuses forks."""
        if candidate_processes(self.uid) >= self.max_processes:
            self.pids_hits += 1
        if memory_in_use(self.meminfo) > self.max_bytes:
            self.oom_kills += 1
            return True
        return False

"""The candidate's processes and memory, counted from /proc by PID 1.

Under runc the engine's cgroup counts both (pids.events, memory.events), and the kernel
enforces them.  Under gVisor (runsc) the cgroup sits around the user-space kernel as a
whole: its own host threads count against the pids cap, and the container sees no cgroup
files at all.  There PID 1 meters the candidate itself: RLIMIT_NPROC (which gVisor's
kernel enforces per user, inside this sandbox only) caps the processes, and the memory of
the candidate's processes is summed from /proc and over the limit gets them killed.
Standard library only.
"""

from __future__ import annotations

import os

PAGE = os.sysconf("SC_PAGE_SIZE")


def candidate_usage(uid: int) -> tuple[int, int]:
    """(processes, resident bytes) of every process of `uid`."""
    processes = 0
    resident = 0
    try:
        names = os.listdir("/proc")
    except OSError:
        return 0, 0
    for name in names:
        if not name.isdigit():
            continue
        try:
            if os.stat(f"/proc/{name}").st_uid != uid:
                continue
            with open(f"/proc/{name}/statm", "rb") as handle:
                fields = handle.read().split()
        except (OSError, ValueError):
            continue  # gone meanwhile
        processes += 1
        if len(fields) > 1:
            resident += int(fields[1]) * PAGE
    return processes, resident


class ProcMeter:
    """Counts, per candidate start, the limit hits the cgroup counters would have shown."""

    def __init__(self, uid: int, max_processes: int, max_bytes: int) -> None:
        self.uid = uid
        self.max_processes = max_processes
        self.max_bytes = max_bytes
        self.oom_kills = 0
        self.pids_hits = 0

    def over(self) -> bool:
        """Look once; True when the candidate is over its memory (it must be killed).
        Reaching the process cap only counts a hit: the kernel already refuses forks."""
        processes, resident = candidate_usage(self.uid)
        if processes >= self.max_processes:
            self.pids_hits += 1
        if resident > self.max_bytes:
            self.oom_kills += 1
            return True
        return False

"""Sandboxes under gVisor (LAB_RUNTIME=runsc): what changes on the host side, and the
meters PID 1 uses where the container sees no cgroup counters.  The same sandbox
promises are attacked under runsc for real by scripts/test.sh's gVisor pass."""

from __future__ import annotations

import os
import subprocess
import sys
from types import SimpleNamespace

import pytest

from worker.core import sandbox
from worker.core.config import Limits

sys.path.insert(0, str(sandbox.RUNNER_SOURCE))
import lab_box  # noqa: E402
import lab_meter  # noqa: E402


@pytest.mark.parametrize(("runtime", "gvisor"), [("runsc", True), ("runsc-debug", True),
                                                 ("/usr/bin/runsc", True), ("", False),
                                                 ("runc", False), ("kata", False)])
def test_gvisor_is_recognised_by_runtime_name(runtime, gvisor):
    assert sandbox.uses_gvisor(runtime) is gvisor


def test_only_gvisor_runs_get_the_proc_meter():
    limits = Limits()
    assert "meter" not in sandbox.supervisor_job(limits, "")
    job = sandbox.supervisor_job(limits, "runsc")
    assert job["meter"] == "proc"
    assert job["pids"] == limits.pids
    assert job["memory_bytes"] == limits.memory_mb * 1024 * 1024
    # PID 1's RLIMIT_CPU is the stretched clock, as the messages state it
    assert sandbox.supervisor_job(limits, "")["cpu_seconds"] == int(limits.cpu_seconds)
    assert job["cpu_seconds"] == int(limits.cpu_seconds * sandbox.GVISOR_CLOCK_STRETCH)


class _Containers:
    def __init__(self) -> None:
        self.kwargs: dict = {}

    def create(self, image, **kwargs):
        self.kwargs = kwargs
        return SimpleNamespace(id="x")


@pytest.mark.parametrize("runtime", ["", "runsc"])
def test_engine_caps_get_headroom_only_under_gvisor(runtime):
    """gVisor's own threads and memory live in the container's cgroup: without headroom
    a run dies of the kernel's needs (it panicked at the 64-pid cap), not the candidate's."""
    client = SimpleNamespace(containers=_Containers())
    limits = Limits()
    sandbox.create_sandbox(client, "image", limits, runtime, {})
    made = client.containers.kwargs
    extra_pids = sandbox.GVISOR_PIDS_HEADROOM if runtime else 0
    extra_mb = sandbox.GVISOR_MEMORY_HEADROOM_MB if runtime else 0
    assert made["pids_limit"] == limits.pids + extra_pids
    assert made["mem_limit"] == f"{limits.memory_mb + extra_mb}m"
    assert made["runtime"] == (runtime or None)


class _Engine:
    def __init__(self, runtimes: dict | Exception) -> None:
        self.runtimes = runtimes

    def info(self):
        if isinstance(self.runtimes, Exception):
            raise self.runtimes
        return {"Runtimes": self.runtimes}


def test_runtime_problem_names_what_the_engine_has():
    engine = _Engine({"runc": {}, "io.containerd.runc.v2": {}})
    assert sandbox.runtime_problem(engine, "") == ""
    assert sandbox.runtime_problem(_Engine({"runc": {}, "runsc": {}}), "runsc") == ""
    problem = sandbox.runtime_problem(engine, "runsc")
    assert "LAB_RUNTIME=runsc" in problem and "it has: io.containerd.runc.v2, runc" in problem
    assert "make up" in problem
    assert "daemon.json" in sandbox.runtime_problem(engine, "kata")
    import requests

    broken = _Engine(requests.exceptions.ConnectionError("engine gone"))
    assert "engine gone" in sandbox.runtime_problem(broken, "runsc")


def test_a_tmpfs_without_inode_counts_is_not_full(monkeypatch):
    """gVisor's tmpfs reports 0 inodes of 0: that was read as "scratch space filled up"
    and failed every run under runsc."""
    def statvfs(blocks_free, files, files_free):
        return lambda path: SimpleNamespace(f_bavail=blocks_free, f_files=files,
                                            f_favail=files_free)

    monkeypatch.setattr(os, "statvfs", statvfs(8192, 0, 0))
    assert lab_box.scratch_full() is False
    monkeypatch.setattr(os, "statvfs", statvfs(0, 0, 0))
    assert lab_box.scratch_full() is True
    monkeypatch.setattr(os, "statvfs", statvfs(8192, 1000, 0))
    assert lab_box.scratch_full() is True
    monkeypatch.setattr(os, "statvfs", statvfs(8192, 1000, 10))
    assert lab_box.scratch_full() is False


def test_the_proc_meter_counts_the_processes_of_one_user():
    """Real processes: 3 sleepers, as a user of their own where the test may make one
    (root: nothing else runs as it, so the count is exact), else as this test's user."""
    root = os.geteuid() == 0
    uid = 54_321 if root else os.getuid()
    children = [subprocess.Popen(["sleep", "30"], user=uid if root else None) for _ in range(3)]
    try:
        processes = lab_meter.candidate_processes(uid)
        if root:
            assert processes == 3
        else:
            assert processes >= 4  # the sleepers and this test
        meter = lab_meter.ProcMeter(uid, max_processes=processes, max_bytes=1 << 62)
        assert meter.over() is False and meter.pids_hits == 1 and meter.oom_kills == 0
        assert lab_meter.candidate_processes(987_654) == 0  # nobody's processes
    finally:
        for child in children:
            child.kill()
            child.wait()


MEMINFO = """MemTotal:         524288 kB
MemFree:          371324 kB
MemAvailable:     371324 kB
AnonPages:        145864 kB
"""


def test_the_proc_meter_reads_the_sandbox_memory_from_meminfo(tmp_path):
    """gVisor's meminfo counts each page of the sandbox once: used = MemTotal - MemFree
    (these figures are a real one, after a 100 MiB process forked ten children)."""
    meminfo = tmp_path / "meminfo"
    meminfo.write_text(MEMINFO)
    used = (524288 - 371324) * 1024
    assert lab_meter.memory_in_use(str(meminfo)) == used
    fits = lab_meter.ProcMeter(987_654, 64, max_bytes=used, meminfo=str(meminfo))
    assert fits.over() is False and fits.oom_kills == 0
    over = lab_meter.ProcMeter(987_654, 64, max_bytes=used - 1, meminfo=str(meminfo))
    assert over.over() is True and over.oom_kills == 1 and over.pids_hits == 0
    for broken in ("", "MemTotal: lots\n", "MemFree: 1 kB\n"):
        meminfo.write_text(broken)
        assert lab_meter.memory_in_use(str(meminfo)) == 0  # unreadable: no false limit
    assert lab_meter.memory_in_use(str(tmp_path / "missing")) == 0


def test_clocks_are_longer_under_gvisor_in_their_order_and_nothing_else():
    limits = Limits(wall_seconds=20, test_seconds=4, cpu_seconds=10)
    assert sandbox.clocks_for(limits, "") is limits
    stretched = sandbox.clocks_for(limits, "runsc")
    assert stretched.wall_seconds == limits.wall_seconds * sandbox.GVISOR_CLOCK_STRETCH
    assert stretched.test_seconds == limits.test_seconds * sandbox.GVISOR_CLOCK_STRETCH
    assert stretched.cpu_seconds == limits.cpu_seconds * sandbox.GVISOR_CLOCK_STRETCH
    assert stretched.test_seconds < stretched.cpu_seconds < stretched.wall_seconds
    assert (stretched.memory_mb, stretched.pids, stretched.output_kb) == (
        limits.memory_mb, limits.pids, limits.output_kb)

"""The warm pool: armed containers give the cold path's results, keep its limits, carry
nothing over, take the go only from the host, never outlive their owner and are
recycled before the reaper's age.  Real Docker engine throughout."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from tests.helpers import GOOD_ADD, ROOT, RUNTIME, WRONG_ADD, sandbox_settings
from tests.integration import test_isolation as isolation
from tests.integration.test_cheats import CHEATS, WRONG
from tests.integration.test_limits import LIMIT_CASES
from worker.core.config import Limits, Settings
from worker.core.grading import grade
from worker.core.images import runner_image_tag
from worker.core.pool import SandboxPool, process_pool, start_process_pool
from worker.core.reaper import reap
from worker.core.sandbox import LABEL, OWNER_LABEL, POOL_LABEL, create_sandbox, supervisor_job, take_counts

pytestmark = pytest.mark.docker
LIMITS = Limits(wall_seconds=5, cpu_seconds=3)  # what conftest's `settings` fixture uses
SLEEPER = "import time\ndef add(a, b):\n    time.sleep(60)\n"


def new_pool(limits: Limits = LIMITS, size: int = 2, **kw) -> SandboxPool:
    kw = {"grace_seconds": 10, "reap_after_seconds": 300, "max_idle_seconds": 120, **kw}
    return SandboxPool(runner_image_tag("python"), limits, RUNTIME, size, **kw).start()


@pytest.fixture(scope="module")
def pool(docker_client):
    warm = new_pool()
    assert warm.wait_full(120), "the pool never filled"
    yield warm
    warm.close()


@pytest.fixture
def grade_pooled(pool, settings):
    """Like grade_text, through the pool; every call must be a pool hit."""

    def run(challenge, source: str, mode: str = "submit", use: SandboxPool | None = None,
            run_settings: Settings | None = None):
        use = use or pool
        assert use.wait_full(120)
        before = use.handed_out
        result = grade(challenge, {"solution.py": source.encode()}, mode,
                       settings=run_settings or settings, pool=use)
        assert use.handed_out == before + 1, "the run did not get a pool container"
        return result

    return run


def summary(result) -> dict:
    return {"verdict": result.verdict, "score": result.score, "max_score": result.max_score,
            "message": result.message,
            "tests": [(t.name, t.outcome, t.message) for t in result.tests]}


@pytest.mark.parametrize("source", [GOOD_ADD, WRONG_ADD, SLEEPER], ids=["pass", "fail", "timeout"])
def test_pooled_run_gives_the_cold_result(source, make_challenge, grade_text, grade_pooled):
    challenge = make_challenge()
    cold = grade_text(challenge, source)
    warm = grade_pooled(challenge, source)
    assert summary(warm) == summary(cold)
    assert cold.verdict == {GOOD_ADD: "passed", WRONG_ADD: "failed", SLEEPER: "timeout"}[source]


@pytest.mark.parametrize("case", list(LIMIT_CASES))
def test_limits_hold_in_pooled_containers(case, make_challenge, grade_pooled):
    source, verdict, words = LIMIT_CASES[case]
    result = grade_pooled(make_challenge(), source)
    alternatives = words if isinstance(words, tuple) else (words,)
    assert result.verdict == verdict and any(w in result.message for w in alternatives), (
        result.to_json())
    assert result.score == 0


@pytest.mark.parametrize("cheat", list(CHEATS))
def test_cheats_fail_in_pooled_containers(cheat, make_challenge, grade_pooled):
    """test_cheats.py's attacks on the result channel, in armed containers."""
    result = grade_pooled(make_challenge(), CHEATS[cheat] + WRONG)
    assert result.verdict not in ("passed", "infra_error") and result.score == 0, result.to_json()


def test_sandbox_promises_hold_in_a_pooled_container(tmp_path, docker_client):
    """The isolation attacks of test_isolation.py, run in an armed container."""
    from tests.helpers import write_challenge

    limits = Limits(wall_seconds=20, cpu_seconds=15)
    warm = new_pool(limits, size=1)
    try:
        assert warm.wait_full(120)
        os.environ["LAB_HOST_CANARY"] = "host-secret-value"
        result = grade(write_challenge(tmp_path / "c"), {"solution.py": isolation.PROBE.encode()},
                       "run", settings=sandbox_settings(limits=limits), client=docker_client, pool=warm)
        assert warm.handed_out == 1 and result.verdict == "passed", result.to_json()
    finally:
        warm.close()
    line = next(ln for ln in result.stdout.splitlines() if ln.startswith("FACTS"))
    facts = json.loads(line[5:])
    for check in (isolation.test_the_sandbox_runs_under_the_runtime_being_tested,
                  isolation.test_not_root_and_no_capabilities, isolation.test_no_network,
                  isolation.test_no_host_environment_or_socket,
                  isolation.test_only_size_capped_scratch_is_writable,
                  isolation.test_supervisor_is_out_of_reach):
        check(facts)


def test_pool_containers_have_the_cold_containers_settings(docker_client, pool):
    cold = create_sandbox(docker_client, runner_image_tag("python"), LIMITS, RUNTIME,
                          supervisor_job(LIMITS, RUNTIME))
    try:
        warm = docker_client.containers.get(pool.idle_ids()[0])
        assert warm.attrs["HostConfig"] == cold.attrs["HostConfig"]
        assert warm.attrs["Config"]["Labels"][POOL_LABEL] == "1"
        assert warm.attrs["Config"]["StdinOnce"] is True  # stdin ends when the host lets go
    finally:
        cold.remove(force=True)


MARKER = '''
import glob, json, os
seen = {"tmp": sorted(os.listdir("/tmp")), "sandbox": sorted(glob.glob("/sandbox/**", recursive=True)),
        "container": [ln.split()[3] for ln in open("/proc/self/mountinfo") if "/hostname " in ln]}
for path in ("/tmp/marker", "/sandbox/marker", "/dev/shm/marker"):
    try:
        with open(path, "w") as handle:
            handle.write("left behind")
    except OSError:
        pass
print("SEEN" + json.dumps(seen))

def add(a, b):
    return a + b
'''


def test_nothing_carries_over_to_the_next_pooled_submission(make_challenge, grade_pooled, pool,
                                                            monkeypatch):
    taken = []  # which container each run got, seen from the host (gVisor's mounts show none)
    take = pool.take

    def spy(*args):
        armed = take(*args)
        taken.append(armed.container.id if armed else None)
        return armed

    monkeypatch.setattr(pool, "take", spy)
    challenge = make_challenge()
    first, second = (grade_pooled(challenge, MARKER, mode="run") for _ in range(2))
    assert len(taken) == 2 and None not in taken and taken[0] != taken[1], taken
    for r in (first, second):
        assert "SEEN" in r.stdout, r.to_json()
    seen = [json.loads(next(ln[4:] for ln in r.stdout.splitlines() if ln.startswith("SEEN")))
            for r in (first, second)]
    assert first.verdict == second.verdict == "passed"
    if RUNTIME != "runsc":  # the container's own mounts name it too, under runc
        assert seen[0]["container"] and seen[0]["container"] != seen[1]["container"]
    assert "marker" not in seen[1]["tmp"]
    assert seen[1]["sandbox"] == seen[0]["sandbox"]  # its own files only, no marker
    assert not any("marker" in path for path in seen[1]["sandbox"])


FORGER = '''
import json, os, signal, stat
facts = {}
try:
    fd = os.open("/proc/1/fd/0", os.O_WRONLY)
    os.write(fd, b'{"files": {}, "test_paths": ["tests"], "visibility": "public"}\\n')
    facts["pid1_stdin"] = "written to " + os.readlink("/proc/1/fd/0")
except OSError as exc:
    facts["pid1_stdin"] = type(exc).__name__
pipes = set()
for name in os.listdir("/proc/self/fd"):
    try:
        target = os.readlink(f"/proc/self/fd/{name}")
    except OSError:
        continue
    if target.startswith(("pipe:", "socket:")):
        pipes.add(target)
facts["pipes"] = sorted(pipes)
facts["own_pipes"] = sorted({os.readlink("/proc/self/fd/1"), os.readlink("/proc/self/fd/3")})
try:
    os.kill(1, signal.SIGUSR1)
    facts["signal_pid1"] = "sent"
except OSError as exc:
    facts["signal_pid1"] = type(exc).__name__
try:
    open("/sandbox/go", "w").close()
    facts["new_file"] = "made"
except OSError as exc:
    facts["new_file"] = type(exc).__name__
print("FACTS" + json.dumps(facts))

def add(a, b):
    return 0
'''


def test_candidate_cannot_forge_the_go(make_challenge, grade_pooled):
    """PID 1's stdin is out of reach and the candidate holds no pipe or socket but its
    own output pipe and its socket to the judge: not the judge's control socket, not the
    ready pipe.  The run is graded as usual (the wrong answer fails)."""
    result = grade_pooled(make_challenge(), FORGER, mode="run")
    facts = json.loads(next(ln[5:] for ln in result.stdout.splitlines() if ln.startswith("FACTS")))
    # runc refuses the open; gVisor allows it, but by then PID 1 let go of the host's
    # channel and holds /dev/null there (lab_supervisor.py, at go)
    expected = "written to /dev/null" if RUNTIME == "runsc" else "PermissionError"
    assert facts["pid1_stdin"] == expected, facts
    assert facts["pipes"] == facts["own_pipes"]
    assert facts["signal_pid1"] == "PermissionError"
    assert facts["new_file"] == "PermissionError"
    assert result.verdict == "failed" and result.score == 0


def test_wall_clock_starts_at_go_not_at_arming(make_challenge, grade_pooled, pool):
    """An armed container that waited longer than the wall clock still gives the
    candidate all of it: 3 s of sleep fit in 5 s whatever the idle time before."""
    assert pool.wait_full(120)
    time.sleep(LIMITS.wall_seconds + 1)
    sleepy = "import time\ntime.sleep(3)\n" + GOOD_ADD
    result = grade_pooled(make_challenge(), sleepy)
    assert result.verdict == "passed", result.to_json()


def test_other_limits_take_the_cold_path(make_challenge, pool, settings):
    challenge = make_challenge(limits={"memory_mb": 200})  # tighter than the pool's 256
    assert pool.wait_full(120)
    before = pool.handed_out
    result = grade(challenge, {"solution.py": GOOD_ADD.encode()}, settings=settings, pool=pool)
    assert result.verdict == "passed" and pool.handed_out == before


def test_pool_size_zero_is_the_cold_path(make_challenge, settings, docker_client):
    from dataclasses import replace

    off = replace(settings, pool_size=0)
    assert start_process_pool(off) is None and process_pool() is None
    take_counts()
    result = grade(make_challenge(), {"solution.py": GOOD_ADD.encode()}, settings=off,
                   client=docker_client)
    assert result.verdict == "passed"
    assert take_counts().get("starts_cold") == 1


def ours(client, pid: int) -> list:
    """Pool containers of process `pid`; sparse: other tests remove theirs meanwhile."""
    found = client.containers.list(all=True, sparse=True,
                                   filters={"label": [f"{LABEL}=1", f"{POOL_LABEL}=1"]})
    return [c for c in found
            if (c.attrs.get("Labels") or {}).get(OWNER_LABEL, "").endswith(f":{pid}")]


def test_pool_of_a_sigkilled_owner_is_reaped(docker_client):
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from worker.core.config import Limits
        from worker.core.images import runner_image_tag
        from worker.core.pool import SandboxPool
        pool = SandboxPool(runner_image_tag("python"), Limits(), {RUNTIME!r}, 2, 10, 300, 120).start()
        print("full" if pool.wait_full(120) else "not full", flush=True)
        time.sleep(600)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        assert proc.stdout.readline().strip() == "full"
        left = ours(docker_client, proc.pid)
        assert len(left) == 2 and all(c.status == "running" for c in left)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        # The attach streams closed with the process: each supervisor ends by itself ...
        deadline = time.monotonic() + 30
        while any(c.status == "running" for c in ours(docker_client, proc.pid)):
            assert time.monotonic() < deadline, "pool containers kept running without owner"
            time.sleep(0.2)
        # ... and the reaper removes them: their owner is dead, whatever their age.
        reap(docker_client, max_age_seconds=3600)
        # Gone, by this reap or by a running lab's sweeper that got there first.
        assert ours(docker_client, proc.pid) == []
    finally:
        if proc.poll() is None:
            proc.kill()


def test_idle_containers_are_recycled_before_the_reapers_age(docker_client):
    # reap_after 50 s leaves 50 - 5 (wall) - 10 (grace) - 30 (room) = 5 s of idle time.
    warm = new_pool(size=1, reap_after_seconds=50)
    try:
        assert warm.max_idle == 5
        assert warm.wait_full(120)
        first = warm.idle_ids()
        deadline = time.monotonic() + 60
        while warm.idle_ids() in ([], first):
            assert time.monotonic() < deadline, "the idle container was never recycled"
            time.sleep(0.2)
        second = warm.idle_ids()
        assert set(second).isdisjoint(first)
        assert warm.wait_full(30)  # also waits until the removal queue is empty
        assert not exists(docker_client, first), "a recycled container was left behind"
    finally:
        warm.close()
    assert not exists(docker_client, first + second), "close() left a container behind"


def exists(client, ids: list[str]) -> bool:
    found = {c.id for c in client.containers.list(all=True, sparse=True,
                                                   filters={"label": f"{LABEL}=1"})}
    return bool(found & set(ids))

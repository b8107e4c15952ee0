"""`lab up` keeps its children alive (lab/ops/launcher.py): a crashed child starts again after
a backoff, with why it ended in the log; one that keeps crashing stops everything; what a
dead child leaves behind in its process group is killed.  Small shell children stand in
for redis, gunicorn and the worker."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from lab.ops import launcher
from lab.ops.launcher import Stack, describe_exit, restart_delay, stop_stack


def gone(pid: int) -> bool:
    """Ended (a zombie waiting for a parent that is not us counts as ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (FileNotFoundError, ProcessLookupError):
        return True


def wait_until(condition, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.fixture
def stack(tmp_path):
    said: list[str] = []
    made = Stack(tmp_path / "launcher.log", say=lambda text, _err: said.append(text))
    made.said = said  # type: ignore[attr-defined]
    yield made
    stop_stack(made, timeout=5)


def shell(tmp_path: Path, script: str):
    return lambda: launcher._spawn("kid", ["sh", "-c", script], tmp_path, dict(os.environ))


def test_restart_delay_doubles_up_to_ten_seconds():
    assert [restart_delay(n) for n in range(1, 8)] == [0.5, 1, 2, 4, 8, 10, 10]


def test_exit_descriptions_name_the_code_or_the_signal():
    assert describe_exit(3) == "exited with code 3"
    assert describe_exit(-9) == "was killed by signal 9 (SIGKILL)"


def test_a_killed_child_starts_again_after_the_backoff_and_the_log_says_why(stack, tmp_path):
    first = stack.start("kid", shell(tmp_path, "exec sleep 60"))
    os.kill(first.pid, signal.SIGKILL)
    wait_until(lambda: launcher._has_exited(first))
    assert stack.check(now=100.0) is None
    assert stack.said[-1].startswith("kid was killed by signal 9 (SIGKILL); starting it again "
                                     "in 0.5 s (crash 1 of 5")
    assert "kid was killed by signal 9 (SIGKILL)" in (tmp_path / "launcher.log").read_text()
    assert stack.check(now=100.4) is None
    assert stack.children[0].proc is first  # not before its time
    assert stack.check(now=100.6) is None
    second = stack.children[0].proc
    assert second.pid != first.pid and second.poll() is None
    assert stack.said[-1] == f"kid started again (pid {second.pid})"


def test_the_fifth_crash_within_a_minute_stops_everything(stack, tmp_path):
    stack.start("kid", shell(tmp_path, "exit 3"))
    now, reason = 0.0, None
    for crash in range(1, 6):
        wait_until(lambda: launcher._has_exited(stack.children[0].proc))
        reason = stack.check(now=now)
        if crash < 5:
            assert reason is None
            delay = restart_delay(crash)
            assert f"exited with code 3; starting it again in {delay:g} s" in stack.said[-1]
            now += delay
            assert stack.check(now=now) is None  # started again
    assert reason is not None and "5th crash within 60 s; stopping everything" in reason
    assert stack.said[-1].startswith("error: kid exited with code 3")


def test_crashes_a_minute_apart_never_add_up(stack, tmp_path):
    stack.start("kid", shell(tmp_path, "exit 1"))
    now = 0.0
    for _ in range(8):
        wait_until(lambda: launcher._has_exited(stack.children[0].proc))
        assert stack.check(now=now) is None
        assert "in 0.5 s (crash 1 of 5" in stack.said[-1]
        now += 61.0
        assert stack.check(now=now) is None


def test_what_a_dead_child_leaves_in_its_group_is_killed(stack, tmp_path):
    """gunicorn's workers outlive a SIGKILLed master and keep its socket; not here."""
    pidfile = tmp_path / "grandchild.pid"
    leader = stack.start("kid", shell(tmp_path, f"sleep 300 & echo $! > {pidfile}; exec sleep 300"))
    wait_until(lambda: pidfile.exists() and pidfile.read_text().strip())
    grandchild = int(pidfile.read_text())
    os.kill(leader.pid, signal.SIGKILL)
    wait_until(lambda: launcher._has_exited(leader))
    stack.check(now=0.0)
    wait_until(lambda: gone(grandchild))


def test_stop_stack_ends_children_and_their_leftovers(tmp_path):
    pidfile = tmp_path / "grandchild.pid"
    made = Stack(tmp_path / "launcher.log", say=lambda *_: None)
    made.start("redis", shell(tmp_path, "exec sleep 300"))
    made.start("web", shell(tmp_path, f"trap '' TERM; sleep 300 & echo $! > {pidfile}; wait"))
    wait_until(lambda: pidfile.exists() and pidfile.read_text().strip())
    grandchild = int(pidfile.read_text())
    started = time.monotonic()
    stop_stack(made, timeout=1)
    assert time.monotonic() - started < 5
    assert all(proc.returncode is not None for _, proc in made)
    wait_until(lambda: gone(grandchild))

"""Chaos on one host: `lab up` keeps its children alive.  The grading worker, the private
Redis, gunicorn and nginx are each killed with SIGKILL while submissions are in flight,
and the lab is left to mend itself (the test never restarts anything).  Every accepted
submission ends `passed`, each result is written exactly once, the runs of the killed
worker are taken over within seconds (not after LAB_STUCK_AFTER_SECONDS), and the time
each part needed to recover is printed."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
from http.client import HTTPException
from pathlib import Path

import pytest

from bench.privatelab import http
from tests.stack.test_stack import SOLUTION

pytestmark = pytest.mark.docker
CHALLENGE = "examples/retry-decorator"
BEFORE_KILL = 10  # submissions posted before each kill
DURING_KILL = 4  # and right after it, while the killed part is coming back
ACCOUNTS = BEFORE_KILL + DURING_KILL  # one submission in flight per candidate at a time
MARKERS = (("redis", "redis-server"), ("proxy", "nginx"), ("web", "gunicorn"),
           ("worker", "celery"))


def children_of(pid: int) -> dict[str, int]:
    """The live children of `lab up`, by role."""
    found: dict[str, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) != pid or fields[0] == "Z":
                continue
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError, IndexError):
            continue
        for role, marker in MARKERS:
            if marker in command:
                found[role] = int(entry.name)
                break
    return found


def retry(call, seconds: float = 40.0) -> tuple[int, object, bool]:
    """A client that rides out a restart: connection errors and 502/503 are tried again.
    (status, body, whether an earlier try may have reached the app)."""
    deadline = time.monotonic() + seconds
    unsure = False
    while True:
        try:
            status, body = call()
            if status not in (502, 503):
                return status, body, unsure
            unsure = True  # nginx also says 503 when gunicorn died while answering
        except ConnectionRefusedError:
            pass  # nothing was sent
        except (OSError, HTTPException):
            # Cut off after sending, or the reply cut short (the web process killed while
            # answering: IncompleteRead): the request may have been handled.
            unsure = True
        assert time.monotonic() < deadline, "the lab did not answer again"
        time.sleep(0.2)


class Rows:
    """The submissions table, read straight from the lab's SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def newer_than(self, last: int) -> list[int]:
        """Every submission the lab accepted after id `last` (whether or not its client
        saw the 202: a reply lost in a restart still made a submission)."""
        with sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=10) as db:
            return [row[0] for row in db.execute(
                "SELECT id FROM submissions WHERE id > ? ORDER BY id", (last,))]

    def read(self, ids: list[int]) -> dict[int, tuple]:
        marks = ",".join("?" * len(ids))
        with sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=10) as db:
            rows = db.execute(f"SELECT id, status, verdict, results_stored, attempts, "  # noqa: S608
                              f"claimed_by FROM submissions WHERE id IN ({marks})", ids).fetchall()
        return {row[0]: row[1:] for row in rows}


class HealthWatch:
    """Polls /healthz (1 s timeout) every 0.1 s and remembers when it was 200 or not."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.seen: list[tuple[float, bool]] = []  # (time the answer came, was it 200)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        import urllib.request

        while not self.stop.is_set():
            ok = False
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as response:
                    ok = response.status == 200
            except OSError:
                pass
            self.seen.append((time.monotonic(), ok))
            self.stop.wait(0.1)

    def recovery_after(self, moment: float, timeout: float = 40) -> float:
        """Seconds from `moment` to the first 200 after the first failure that followed
        it; 0 when it never failed (wait a little to be sure)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            later = [(at, ok) for at, ok in self.seen if at > moment]
            failed = [at for at, ok in later if not ok]
            if failed:
                back = [at for at, ok in later if ok and at > failed[0]]
                if back:
                    return back[0] - moment
            elif later and later[-1][0] > moment + 3:
                return 0.0
            time.sleep(0.05)
        raise AssertionError(f"/healthz not 200 again within {timeout} s of the kill")


def test_lab_up_mends_itself_after_each_part_is_killed(quick_sweep_lab):
    lab = quick_sweep_lab
    tokens = lab.create_accounts(ACCOUNTS)
    rows = Rows(lab.instance / "lab.db")
    health = HealthWatch(lab.url)
    every: list[int] = []
    report: list[str] = []

    def post(token: str) -> None:
        status, body, unsure = retry(lambda: http(
            "POST", f"{lab.url}/api/v1/submissions", token,
            {"challenge": CHALLENGE, "mode": "submit", "files": {"solution.py": SOLUTION}}))
        # 429 "already one in flight": the try whose answer was lost was accepted.
        assert status == 202 or (unsure and status == 429), (status, body)

    def kill_under_load(role: str) -> None:
        last = max(every, default=0)
        for token in tokens[:BEFORE_KILL]:
            post(token)
        ids = rows.newer_than(last)
        deadline = time.monotonic() + 30
        while True:  # some runs are in the worker's hands when it dies
            held = {sid: row[4] for sid, row in rows.read(ids).items() if row[0] == "running"}
            if len(held) >= 2 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        running = list(held)
        before = children_of(lab.proc.pid)
        done_before = {sid for sid, row in rows.read(ids).items() if row[0] == "done"}
        os.kill(before[role], signal.SIGKILL)
        killed = time.monotonic()
        for token in tokens[BEFORE_KILL:]:
            post(token)
        ids = rows.newer_than(last)
        first_verdict = None
        orphans_done = None
        taken_over = None
        deadline = killed + 60
        while True:
            current = rows.read(ids)
            done = {sid for sid, row in current.items() if row[0] == "done"}
            if first_verdict is None and done - done_before:
                first_verdict = time.monotonic() - killed
            if orphans_done is None and set(running) <= done:
                orphans_done = time.monotonic() - killed
            if taken_over is None and all(current[sid][4] != held[sid] or sid in done
                                          for sid in running):
                taken_over = time.monotonic() - killed  # released or claimed anew
            if len(done) == len(ids):
                break
            assert time.monotonic() < deadline, (
                f"{role}: {len(done)} of {len(ids)} done 60 s after the kill: {current}")
            time.sleep(0.1)
        all_done = time.monotonic() - killed
        back = health.recovery_after(killed)
        after = children_of(lab.proc.pid)
        assert after.get(role) not in (None, before[role]), (role, before, after)
        report.append(f"{role:6} killed: /healthz 200 {back:4.1f} s after, first verdict "
                      f"{first_verdict:4.1f} s, {len(running)} running runs taken over "
                      f"{taken_over:4.1f} s and done {orphans_done:4.1f} s, all {len(ids)} "
                      f"done {all_done:4.1f} s")
        if role == "worker":
            # Its heartbeat expires after 8 s; LAB_STUCK_AFTER_SECONDS (120) is not waited for.
            assert len(running) >= 2 and taken_over < 20, (running, taken_over)
        every.extend(ids)

    try:
        for role in ("worker", "redis", "web", "proxy"):
            kill_under_load(role)
    finally:
        health.stop.set()
        print("\n" + "\n".join(report))
    assert lab.proc.poll() is None, "lab up gave up"
    final = rows.read(every)
    assert len(final) == len(every) >= 4 * ACCOUNTS
    lost = [sid for sid, row in final.items() if row[:2] != ("done", "passed")]
    twice = [sid for sid, row in final.items() if row[2] != 1]
    print(f"{len(every)} submissions: {len(lost)} lost or not passed, {len(twice)} written "
          f"more than once; claims per submission: max {max(r[3] for r in final.values())}")
    assert lost == [], {sid: final[sid] for sid in lost}
    assert twice == [], {sid: final[sid] for sid in twice}
    # The API says the same as the table.
    status, body, _ = retry(lambda: http("GET", f"{lab.url}/api/v1/submissions/{every[-1]}",
                                         tokens[-1]))
    assert status == 200 and body["verdict"] == "passed", body
    log = (lab.instance / "logs" / "launcher.log").read_text()
    for role in ("worker", "redis", "web", "proxy"):
        assert f"{role} was killed by signal 9 (SIGKILL)" in log, log

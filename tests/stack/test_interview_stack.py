"""A mock interview on the real stack: the whole lab restarts in the middle, nothing is
lost, and with no page open the worker's sweeper ends the interview at the deadline,
grades the last draft and writes the scorecard."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.stack.test_stack import SOLUTION, free_port, http, lab_cli, spawn_lab_up, token_for, wait_health

pytestmark = pytest.mark.docker
SECONDS = 30
TEMPLATE = f"""\
title: Restart interview
time_limit: {SECONDS}s
passing_score: 50
from_packs: [examples, quiz-python-flask]
sections:
  - title: Concepts
    pools:
      - {{kinds: [quiz], topics: [py.testing], count: 1, weight: 1}}
  - title: Hands-on
    pools:
      - {{kinds: [python], topics: [py.decorators], count: 1, weight: 4}}
"""


def up(env: dict, port: int) -> subprocess.Popen:
    proc = spawn_lab_up(env, port, output=subprocess.DEVNULL)
    wait_health(f"http://127.0.0.1:{port}", timeout=90)
    return proc


def down(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 0


def interview_status(instance: Path, interview_id: int) -> str:
    with sqlite3.connect(instance / "lab.db") as conn:
        return conn.execute("select status from interviews where id = ?", (interview_id,)).fetchone()[0]


@pytest.fixture
def env(tmp_path):
    import os

    return {**os.environ, "LAB_INSTANCE_PATH": str(tmp_path / "instance"),
            "LAB_SWEEP_EVERY_SECONDS": "1"}


def test_restart_mid_interview_loses_nothing_and_sweeper_finalizes(env, tmp_path, docker_client):
    instance = Path(env["LAB_INSTANCE_PATH"])
    pack = tmp_path / "pack"
    (pack / "interviews").mkdir(parents=True)
    (pack / "pack.yaml").write_text("name: restart-interviews\nversion: 1\ntitle: Restart test\n"
                                    "description: One short template.\nauthors: [tests]\n"
                                    "license: CC-BY-4.0\n")
    (pack / "interviews" / "restart.yaml").write_text(TEMPLATE)
    lab_cli(env, "db", "seed")
    lab_cli(env, "pack", "import", str(pack))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = up(env, port)
    try:
        token = token_for(env, "restart@example.com")
        status, body = http("POST", f"{base}/api/v1/interviews", token,
                            {"template": "restart-interviews/restart"})
        assert status == 201, body
        interview_id, deadline = body["id"], body["deadline_at"]
        assert body["items"][1]["challenge"] == "examples/retry-decorator"
        status, _ = http("PUT", f"{base}/api/v1/interviews/{interview_id}/items/2/draft", token,
                         {"files": {"solution.py": SOLUTION}})
        assert status == 200
    finally:
        down(proc)
    # Everything is down for a while; the clock keeps running on the server's side.
    time.sleep(3)
    proc = up(env, port)
    try:
        status, body = http("GET", f"{base}/api/v1/interviews/{interview_id}", token)
        assert status == 200 and body["status"] == "active" and body["deadline_at"] == deadline
        assert body["items"][1]["files"]["solution.py"] == SOLUTION
        assert body["seconds_left"] < SECONDS - 3
        # Nobody looks at the interview from here on: only the worker's sweeper can end it.
        end = time.monotonic() + body["seconds_left"] + 60
        while interview_status(instance, interview_id) != "done":
            assert time.monotonic() < end, interview_status(instance, interview_id)
            time.sleep(0.5)
        status, body = http("GET", f"{base}/api/v1/interviews/{interview_id}", token)
        card = body["scorecard"]
        task = card["items"][1]
        assert task["status"] == "graded at the deadline" and task["verdict"] == "passed"
        assert task["points"] == 4 and task["tests"]["passed"] == task["tests"]["total"] > 0
        assert card["items"][0]["status"] == "not answered"
        assert card["score"] == 80.0 and card["passed"] is True
        late = http("PUT", f"{base}/api/v1/interviews/{interview_id}/items/2/draft", token,
                    {"files": {"solution.py": "# after the end\n"}})
        assert late[0] == 409 and "ended" in late[1]["error"]
    finally:
        down(proc)

"""A led mock interview on the real stack, in two Chromium contexts: the whole lab
restarts in the middle.  The interviewer's note and the edit timeline survive it, and the
live view picks up again by itself (nobody reloads it): it shows code typed after the
restart."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from lab.interviews.timeline import apply_changes
from tests.stack.test_interview_stack import down, up
from tests.stack.test_stack import free_port, http, lab_cli, token_for

pytestmark = pytest.mark.docker
TEMPLATE = """\
title: Led restart interview
time_limit: 300s
passing_score: 50
from_packs: [examples]
sections:
  - title: Hands-on
    pools:
      - {kinds: [python], topics: [py.decorators], count: 1, weight: 1}
"""


@pytest.fixture
def env(tmp_path):
    import os

    return {**os.environ, "LAB_INSTANCE_PATH": str(tmp_path / "instance")}


def log_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("password123")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Challenges")).to_be_visible()


def test_restart_keeps_notes_and_timeline_and_the_live_view_recovers(env, tmp_path, browser,
                                                                     docker_client):
    pack = tmp_path / "pack"
    (pack / "interviews").mkdir(parents=True)
    (pack / "pack.yaml").write_text("name: led-restart\nversion: 1\ntitle: Led restart\n"
                                    "description: One template.\nauthors: [tests]\n"
                                    "license: CC-BY-4.0\n")
    (pack / "interviews" / "led.yaml").write_text(TEMPLATE)
    lab_cli(env, "db", "seed")
    lab_cli(env, "pack", "import", str(pack))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = up(env, port)
    contexts = []
    try:
        candidate_token = token_for(env, "led-cand@example.com")
        coach_token = token_for(env, "led-coach@example.com")
        status, body = http("POST", f"{base}/api/v1/interviews", candidate_token,
                            {"template": "led-restart/led"})
        assert status == 201, body
        interview = body["id"]
        status, invite = http("POST", f"{base}/api/v1/interviews/{interview}/invites",
                              candidate_token)
        assert status == 201, invite
        status, _ = http("POST", f"{base}/api/v1/invites/{invite['token']}/accept", coach_token)
        assert status == 200

        contexts = [browser.new_context(), browser.new_context()]
        candidate, coach = (context.new_page() for context in contexts)
        log_in(candidate, base, "led-cand@example.com")
        log_in(coach, base, "led-coach@example.com")
        candidate.goto(f"{base}/interviews/{interview}/items/1")
        coach.goto(f"{base}/watch/interviews/{interview}")
        expect(coach.locator("#watch-link")).to_have_text("Live", timeout=10_000)

        editor = candidate.get_by_label("Code editor for solution.py")
        editor.click()
        candidate.keyboard.press("Control+End")
        candidate.keyboard.type("\n# BEFORE-RESTART", delay=10)
        code = coach.locator('pre[data-file="solution.py"]')
        expect(code).to_contain_text("BEFORE-RESTART", timeout=5_000)
        coach.get_by_label("Note", exact=True).fill("NOTE-BEFORE-RESTART")
        coach.get_by_role("button", name="Add note").click()
        expect(coach.locator("#note-list")).to_contain_text("NOTE-BEFORE-RESTART")
        candidate.wait_for_timeout(2000)  # the timeline's batch goes out each second

        down(proc)
        proc = up(env, port)

        # Nobody reloads either page.
        candidate.keyboard.type("\n# AFTER-RESTART", delay=10)
        expect(code).to_contain_text("AFTER-RESTART", timeout=20_000)
        candidate.wait_for_timeout(2000)
        status, _ = http("POST", f"{base}/api/v1/interviews/{interview}/finish", candidate_token)
        assert status == 200

        status, timeline = http("GET", f"{base}/api/v1/watching/{interview}/timeline", coach_token)
        assert status == 200, timeline
        assert [n["body"] for n in timeline["notes"]] == ["NOTE-BEFORE-RESTART"]
        text = None
        for event in timeline["events"]:
            text = event["snapshot"] if "snapshot" in event else apply_changes(text, event["changes"])
        assert text is not None and "# BEFORE-RESTART" in text and "# AFTER-RESTART" in text
    finally:
        for context in contexts:
            context.close()
        down(proc)

"""A led mock interview in two browsers: the candidate invites, the interviewer accepts
and watches the code arrive as it is typed and a Run's verdict; the candidate sees who
watches, revokes, and the interviewer's view ends."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_solve_in_browser import sign_up
from tests.helpers import LIVE

pytestmark = pytest.mark.docker
TEMPLATE = """\
title: Led browser interview
description: The retry decorator, watched.
time_limit: 300s
passing_score: 50
from_packs: [examples]
sections:
  - title: Hands-on
    pools:
      - kinds: [python]
        topics: [py.decorators]
        count: 1
        weight: 1
"""


@pytest.fixture(scope="module")
def led_template(live_lab, tmp_path_factory):
    pack = tmp_path_factory.mktemp("led-pack")
    (pack / "pack.yaml").write_text("name: led-interviews\nversion: 1\ntitle: Led interviews\n"
                                    "description: A template for the led interview test.\n"
                                    "authors: [Interview Lab tests]\nlicense: CC-BY-4.0\n")
    (pack / "interviews").mkdir()
    (pack / "interviews" / "led.yaml").write_text(TEMPLATE)
    done = subprocess.run([sys.executable, "-m", "lab.cli", "pack", "import", str(pack)],
                          env=LIVE["env"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return "Led browser interview"


def test_interviewer_watches_typing_and_runs_then_is_revoked(page: Page, browser, base_url,
                                                           led_template, screens):
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"candidate: {exc}"))
    sign_up(page, "led-candidate@example.com")
    page.get_by_role("link", name="Mock interviews").click()
    page.locator("tr", has_text=led_template).get_by_role("button", name="Start").click()
    editor = page.get_by_label("Code editor for solution.py")
    expect(editor).to_be_visible()

    page.locator("#watchers > summary").click()
    page.get_by_role("button", name="Make an invite link").click()
    link = page.locator("#invite-link").input_value()
    assert "/watch/" in link
    screens(page, "led-interview-invite")

    coach_context = browser.new_context(base_url=base_url)
    coach = coach_context.new_page()
    coach.on("pageerror", lambda exc: errors.append(f"interviewer: {exc}"))
    try:
        sign_up(coach, "led-coach@example.com")
        coach.goto(link)
        expect(coach.get_by_text("led-candidate@example.com invites you")).to_be_visible()
        coach.get_by_role("button", name="Accept and watch").click()
        expect(coach.locator("#watch-link")).to_have_text("Live", timeout=5_000)

        # The candidate sees who watches.
        page.reload()
        expect(page.locator("#watch-banner")).to_contain_text("led-coach@example.com")

        # Typed code reaches the interviewer's screen within a second of the last key.
        editor = page.get_by_label("Code editor for solution.py")
        editor.click()
        page.keyboard.press("Control+End")
        marker = "# typed while watched 7431"
        page.keyboard.type(marker, delay=20)
        typed_at = time.monotonic()
        expect(coach.locator('pre[data-file="solution.py"]')).to_contain_text(marker, timeout=1_000)
        print(f"last keystroke to the interviewer's screen: {time.monotonic() - typed_at:.3f} s")

        # A Run and its verdict appear as they happen.
        page.get_by_role("button", name="Run").click()
        expect(coach.locator(".watch-item:not([hidden]) .watch-runs li").first).to_contain_text(
            "tests passed", timeout=30_000)
        screens(coach, "led-interview-watch")
        screens(page, "led-interview-candidate")

        # Revoked: the interviewer's view ends by itself, and reloading it is a 404.
        page.locator("#watchers > summary").click()
        page.locator(".watcher-list li", has_text="led-coach@example.com").get_by_role(
            "button", name="Revoke").click()
        expect(page.locator(".flash")).to_contain_text("can no longer watch")
        expect(coach.locator("#watch-link")).to_have_text(
            "Your access to this interview has ended.", timeout=5_000)
        assert coach.reload().status == 404
    finally:
        coach_context.close()
    assert errors == []


def test_notes_and_rubric_reach_the_candidate_only_when_shared(page: Page, browser, base_url,
                                                               led_template, screens):
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"candidate: {exc}"))
    sign_up(page, "led-candidate-2@example.com")
    page.get_by_role("link", name="Mock interviews").click()
    page.locator("tr", has_text=led_template).get_by_role("button", name="Start").click()
    expect(page.get_by_label("Code editor for solution.py")).to_be_visible()
    page.locator("#watchers > summary").click()
    page.get_by_role("button", name="Make an invite link").click()
    link = page.locator("#invite-link").input_value()

    coach_context = browser.new_context(base_url=base_url)
    coach = coach_context.new_page()
    coach.on("pageerror", lambda exc: errors.append(f"interviewer: {exc}"))
    page.on("dialog", lambda dialog: dialog.accept())
    coach.on("dialog", lambda dialog: dialog.accept())
    try:
        sign_up(coach, "led-coach-2@example.com")
        coach.goto(link)
        coach.get_by_role("button", name="Accept and watch").click()
        expect(coach.locator("#watch-link")).to_have_text("Live", timeout=5_000)

        # Two phases of typing, seconds apart: the replay must tell them apart.
        editor = page.get_by_label("Code editor for solution.py")
        editor.click()
        page.keyboard.press("Control+End")
        page.keyboard.type("\n# FIRST-PHASE", delay=10)
        page.wait_for_timeout(2500)
        page.keyboard.type("\n# SECOND-PHASE", delay=10)
        expect(coach.locator('pre[data-file="solution.py"]')).to_contain_text("SECOND-PHASE")

        # A note quoting lines 1-2, saved without leaving the page (the stream stays open).
        coach.get_by_label("Note", exact=True).fill("NOTE-5521 starts from the imports")
        coach.locator("#note-file").fill("solution.py")
        coach.get_by_label("First line").fill("1")
        coach.get_by_label("Last line").fill("2")
        coach.get_by_role("button", name="Add note").click()
        expect(coach.locator("#note-list")).to_contain_text("NOTE-5521")
        expect(coach.locator("#note-list .note-quote")).to_contain_text("import")
        expect(coach.locator("#watch-link")).to_have_text("Live")

        # The candidate finishes; the interviewer sees it and fills in the rubric.
        page.get_by_role("button", name="Finish interview").click()
        expect(page.locator("h1")).to_contain_text(led_template)
        expect(coach.locator("#watch-status")).not_to_have_text("In progress", timeout=10_000)
        coach.reload()
        coach.locator("fieldset.rubric tr", has_text="Communication").locator(
            "input[value='4']").check()
        coach.get_by_label("Summary for the candidate").fill("SUMMARY-8830 explained each step")
        coach.get_by_role("button", name="Save rubric and summary").click()
        expect(coach.locator(".flash")).to_contain_text("Rubric and summary saved")

        # Not shared yet: the scorecard has neither the note nor the summary.
        page.reload()
        expect(page.locator("body")).not_to_contain_text("NOTE-5521")
        expect(page.locator("body")).not_to_contain_text("SUMMARY-8830")

        coach.get_by_role("button", name="Share with the candidate").click()
        expect(coach.locator(".flash")).to_contain_text("Shared")
        page.reload()
        review = page.locator(".interviewer-review")
        expect(review).to_contain_text("NOTE-5521")
        expect(review).to_contain_text("SUMMARY-8830 explained each step")
        expect(review.locator("tr", has_text="Communication")).to_contain_text("4 of 4")
        expect(review).to_contain_text("Automatic:")
        screens(coach, "led-interview-review")
        screens(page, "led-interview-shared-scorecard")

        # Both replay it; the code at a moment between the phases is what was typed then.
        page.get_by_role("link", name="Replay this interview").click()
        timeline = page.request.get(page.locator("#replay").get_attribute("data-timeline-url")).json()
        moment, expected = _between_phases(timeline)
        expect(page.locator(".replay-controls")).to_be_visible()
        _seek(page, moment)
        shown = page.locator('#replay-code pre[data-file="solution.py"]')
        expect(shown).to_have_text(expected)
        assert "FIRST-PHASE" in expected and "SECOND-PHASE" not in expected
        _seek(page, timeline["duration_ms"])
        expect(shown).to_contain_text("SECOND-PHASE")
        expect(page.locator("#replay-moments")).to_contain_text("NOTE-5521")  # shared
        page.get_by_role("button", name="Play").click()
        expect(page.get_by_role("button", name="Pause")).to_be_visible()
        screens(page, "led-interview-replay")

        coach.goto(f"/watch/interviews/{timeline['interview']}/replay")
        expect(coach.locator(".replay-controls")).to_be_visible()
        _seek(coach, moment)
        expect(coach.locator('#replay-code pre[data-file="solution.py"]')).to_have_text(expected)
        expect(coach.locator("#replay-moments")).to_contain_text("NOTE-5521")
    finally:
        coach_context.close()
    assert errors == []


def _between_phases(timeline: dict) -> tuple[int, str]:
    """A moment after the first phase was recorded and before the second, and the file's
    text then, rebuilt here from the recorded change sets."""
    from lab.interviews.timeline import apply_changes

    text = None
    first_at = second_at = None
    for event in timeline["events"]:
        if event["file"] != "solution.py":
            continue
        text = event["snapshot"] if "snapshot" in event else apply_changes(text, event["changes"])
        if first_at is None and "FIRST-PHASE" in text:
            first_at, first_text = event["at"], text
        if second_at is None and "SECOND-PHASE" in text:
            second_at = event["at"]
    assert first_at is not None and second_at is not None and second_at - first_at > 1000, (
        first_at, second_at)
    return (first_at + second_at) // 2, first_text


def _seek(page: Page, ms: int) -> None:
    page.locator("#replay-slider").evaluate(
        "(slider, ms) => { slider.value = String(ms); slider.dispatchEvent(new Event('input')); }", ms)

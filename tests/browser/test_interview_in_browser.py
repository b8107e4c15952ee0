"""A mock interview in Chromium: start a short one, answer a quiz item, solve the task
in the editor and submit it, let the clock run out (nobody clicks Finish), read the
scorecard and the review."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_solve_in_browser import sign_up
from tests.helpers import EXAMPLES, LIVE

pytestmark = pytest.mark.docker
SOLUTION = (EXAMPLES / "retry-decorator" / "solution" / "solution.py").read_text()
SECONDS = 40
TEMPLATE = f"""\
title: Browser interview
description: One concept question, then the retry decorator.
time_limit: {SECONDS}s
passing_score: 50
from_packs: [examples, quiz-python-flask]
sections:
  - title: Concepts
    pools:
      - kinds: [quiz]
        topics: [py.testing]
        count: 1
        weight: 1
  - title: Hands-on
    pools:
      - kinds: [python]
        topics: [py.decorators]
        count: 1
        weight: 4
"""


@pytest.fixture(scope="module")
def short_template(live_lab, tmp_path_factory):
    pack = tmp_path_factory.mktemp("interview-pack")
    (pack / "pack.yaml").write_text("name: browser-interviews\nversion: 1\ntitle: Browser interviews\n"
                                    "description: A short template for the browser test.\n"
                                    "authors: [Interview Lab tests]\nlicense: CC-BY-4.0\n")
    (pack / "interviews").mkdir()
    (pack / "interviews" / "browser.yaml").write_text(TEMPLATE)
    done = subprocess.run([sys.executable, "-m", "lab.cli", "pack", "import", str(pack)],
                          env=LIVE["env"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return "Browser interview"


def test_interview_runs_out_and_scorecard_shows(page: Page, short_template, screens):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_up(page, "interviewee@example.com")
    page.get_by_role("link", name="Mock interviews").click()
    row = page.locator("tr", has_text=short_template)
    row.get_by_role("button", name="Start").click()
    expect(page.locator("#clock-total")).to_have_text(re.compile(r"^0:[0-4]\d$"))

    # Item 1: a concept question; pick the first option or type an answer.
    radios = page.locator("#answer-form input[type=radio], #answer-form input[type=checkbox]")
    if radios.count():
        radios.first.check()
    else:
        page.locator("#answer-form input[type=text], #answer-form textarea").first.fill("6")
    expect(page.locator("#answer-status")).to_have_text("Saved")  # saved on change
    page.get_by_role("button", name="Save answer").click()
    expect(page.locator(".flash")).to_contain_text("Answer saved")

    # Item 2 (the page moved on): the task, solved in the editor and submitted.
    editor = page.get_by_label("Code editor for solution.py")
    expect(editor).to_be_visible()
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(SOLUTION)
    expect(page.locator("#save-status")).to_have_text("Saved", timeout=10_000)
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#result [data-status=done][data-verdict=passed]")).to_be_visible(
        timeout=30_000)
    screens(page, "interview-task")

    # Nobody clicks Finish: the countdown reaches zero and the page moves to the scorecard.
    expect(page.locator("#total-score")).to_be_visible(timeout=(SECONDS + 40) * 1000)
    expect(page.locator("#items")).to_contain_text("6 of 6")
    expect(page.locator("#topic-chart")).to_be_visible()
    expect(page.locator("#attempts")).to_contain_text("this one")
    screens(page, "interview-scorecard")
    page.get_by_role("link", name="Review").nth(1).click()
    expect(page.locator("#reference-solution")).to_contain_text("def retry")
    assert errors == []

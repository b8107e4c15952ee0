"""What a candidate reads after Run and Submit, in Chromium against the live lab: an
empty Run refused before it costs anything, the Tests and Console tabs, Markdown
rendered (not shown as source) once solved, solved work counted once on the progress
page, and a quiz reviewed with the options' text rather than their numbers."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_solve_in_browser import SOLUTION, sign_up

pytestmark = pytest.mark.docker

CHALLENGE = "/challenges/examples/retry-decorator"
QUIZ = "/challenges/quiz-docker-api/api-auth-rate-limits-and-cors"


def _type(page: Page, text: str, filename: str = "solution.py") -> None:
    editor = page.get_by_label(f"Code editor for {filename}")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    if text:
        page.keyboard.insert_text(text)


def test_results_console_markdown_and_progress(page: Page):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_up(page, "results@example.com")
    page.goto(CHALLENGE)

    # An empty editor: Run is refused in words, and nothing is queued.
    _type(page, "")
    page.get_by_role("button", name="Run public tests").click()
    expect(page.locator("#result .result-error")).to_contain_text("Nothing to run")

    # A Run that prints: the Tests tab first, the Console tab holds what was printed.
    _type(page, 'print("hello from my module")\n' + SOLUTION)
    page.get_by_role("button", name="Run public tests").click()
    done = page.locator("#result [data-status=done]")
    expect(done).to_be_visible(timeout=60_000)
    tests_tab = page.get_by_role("tab", name="Tests")
    console_tab = page.get_by_role("tab", name=re.compile("^Console"))
    expect(tests_tab).to_have_attribute("aria-selected", "true")
    console = page.locator("#result .console")
    expect(console).to_be_hidden()
    tests_tab.focus()
    page.keyboard.press("ArrowRight")  # the tabs pattern: arrows move between them
    expect(console_tab).to_be_focused()
    expect(console).to_be_visible()
    expect(console).to_contain_text("hello from my module")
    expect(page.locator("#result .tests")).to_be_hidden()
    tests_tab.click()
    expect(page.locator("#result .tests")).to_be_visible()

    # Submit; solved, the explanation appears rendered from Markdown.
    page.get_by_role("button", name="Submit").click()
    # (The Run's panel also says passed until the Submit's replaces it: wait for the words.)
    expect(page.locator("#result [data-status=done]")).to_contain_text(
        "Passed: every hidden test", timeout=60_000)
    page.reload()
    explanation = page.locator(".explanation")
    expect(explanation).to_be_visible()
    expect(explanation.locator("code").first).to_have_text("times")
    assert "`" not in explanation.inner_text()

    # Another task submitted wrong: one solved, one attempted, each listed once.
    page.goto("/challenges/python-core/closure-factories")
    _type(page, "def nothing():\n    return None\n", "factories.py")
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#result [data-status=done]")).to_contain_text("Error", timeout=60_000)
    page.goto("/profile")
    expect(page.locator("main")).to_contain_text("1 solved, 1 attempted but not solved yet.")
    expect(page.locator(".solved-list li")).to_have_count(1)
    expect(page.locator(".solved-list")).to_contain_text("Retry decorator with arguments")
    expect(page.locator(".attempted-list li")).to_have_count(1)
    expect(page.locator(".attempted-list")).not_to_contain_text("Retry decorator")
    assert errors == []


def test_quiz_review_shows_the_options_text(page: Page):
    sign_up(page, "quizreader@example.com")
    page.goto(QUIZ)
    picked = {}
    for index, fieldset in enumerate(page.locator("form fieldset").all()):
        choice = fieldset.locator("input[type=radio], input[type=checkbox]")
        if choice.count():
            choice.first.check()
            picked[index] = fieldset.locator("label").first.inner_text().strip()
        else:
            fieldset.locator("input[type=text], textarea").first.fill("an answer")
    assert picked, "the quiz has no choice question"
    page.get_by_role("button", name="Submit answers").click()
    expect(page.locator("#result [data-status=done]")).to_be_visible(timeout=60_000)
    reviews = page.locator("section.review")
    for index, text in picked.items():
        yours = reviews.nth(index).locator("dd").first
        expect(yours).to_contain_text(text)
        assert not re.fullmatch(r"\s*\[?\d+(, \d+)*\]?\s*", yours.inner_text())

"""A candidate in Chromium: sign up, open a challenge, type a solution into the
editor, Run, Submit, see the pass; the draft survives a reload."""


import pytest
from playwright.sync_api import Page, expect

from tests.helpers import EXAMPLES

pytestmark = pytest.mark.docker
SOLUTION = (EXAMPLES / "retry-decorator" / "solution" / "solution.py").read_text()


def sign_up(page: Page, email: str) -> None:
    page.goto("/signup")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill("browser-pass-1")
    page.get_by_label("Repeat password").fill("browser-pass-1")
    page.get_by_role("button", name="Sign up").click()
    # Sign-up never signs in (it would tell a new email from a taken one): log in.
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("browser-pass-1")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Challenges")).to_be_visible()


def test_sign_up_solve_run_submit(page: Page, artifacts):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_up(page, "browser@example.com")
    page.get_by_role("link", name="Retry decorator with arguments").click()
    editor = page.get_by_label("Code editor for solution.py")
    expect(editor).to_be_visible()
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(SOLUTION)
    expect(page.locator("#save-status")).to_have_text("Saved", timeout=10_000)

    page.keyboard.press("Control+Enter")
    result = page.locator("#result [data-status=done]")
    expect(result).to_be_visible(timeout=60_000)
    expect(page.locator("#result")).to_be_in_viewport()  # scrolled to, below the editor
    expect(result).to_contain_text("Public tests passed")
    expect(result).to_contain_text("public tests only")

    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#result [data-status=done][data-verdict=passed]")).to_be_visible(
        timeout=60_000)
    expect(page.locator("#result")).to_contain_text("Passed: every hidden test")
    expect(page.locator("#result")).to_contain_text("· 6 of 6 points (6 of 6 tests passed)")
    page.screenshot(path=str(artifacts / "solve-in-browser.png"), full_page=True)

    page.reload()
    expect(page.get_by_label("Code editor for solution.py")).to_contain_text("for attempt in range")
    page.goto("/challenges")
    expect(page.locator("tr", has_text="Retry decorator")).to_contain_text("solved")
    assert errors == []


def test_failing_submission_shows_intents_not_sources(page: Page):
    sign_up(page, "fails@example.com")
    page.goto("/challenges/examples/retry-decorator")
    editor = page.get_by_label("Code editor for solution.py")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text("def retry(times, exceptions=(Exception,)):\n"
                              "    return lambda f: f\n")
    page.keyboard.press("Control+Shift+Enter")
    done = page.locator("#result [data-status=done]")
    expect(done).to_be_visible(timeout=60_000)
    expect(done).to_contain_text("Failed")
    expect(done).to_contain_text("Exactly `times` attempts, then the last exception propagates")
    expect(done).not_to_contain_text("info.value.args")

"""Work is never lost in the editor, in Chromium against the live lab: two tabs on one
challenge, the Back button, an ended session, a closed tab with an unsaved edit, and a
paste over the per-file limit."""

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.test_solve_in_browser import sign_up

pytestmark = pytest.mark.docker
CHALLENGE = "/challenges/examples/retry-decorator"
PASSWORD = "browser-pass-1"


def editor_of(page: Page):
    return page.get_by_label("Code editor for solution.py")


def replace_text(page: Page, text: str) -> None:
    editor = editor_of(page)
    expect(editor).to_be_visible()
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)


def status(page: Page):
    return page.locator("#save-status")


def screenshots(page: Page, artifacts, name: str) -> None:
    """Desktop and phone width, for a person to look at (test-artifacts/)."""
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(artifacts / f"{name}-{width}.png"))
    page.set_viewport_size({"width": 1280, "height": 720})


def test_two_tabs_never_overwrite_each_other_silently(page: Page, context: BrowserContext, artifacts):
    sign_up(page, "two-tabs@example.com")
    page.goto(CHALLENGE)
    other = context.new_page()
    other.goto(CHALLENGE)
    replace_text(page, "# written in tab A\n")
    expect(status(page)).to_have_text("Saved", timeout=10_000)

    replace_text(other, "# written in tab B\n")
    conflict = other.locator("#draft-conflict")
    expect(conflict).to_be_visible(timeout=10_000)
    expect(conflict).to_contain_text("changed somewhere else")
    conflict.get_by_text("Saved version of solution.py").click()
    expect(conflict.locator("pre")).to_contain_text("# written in tab A")
    screenshots(other, artifacts, "draft-conflict")
    conflict.get_by_role("button", name="Use the saved version").click()
    expect(editor_of(other)).to_contain_text("# written in tab A")
    expect(status(other)).to_have_text("Saved")

    # Tab A is now the stale one; it keeps its own text on purpose.
    other.bring_to_front()
    editor_of(other).click()
    other.keyboard.press("Control+End")
    other.keyboard.insert_text("# and more from B")
    expect(editor_of(other)).to_contain_text("# and more from B")
    expect(status(other)).to_have_text("Saved", timeout=10_000)
    page.bring_to_front()
    replace_text(page, "# A insists\n")
    expect(page.locator("#draft-conflict")).to_be_visible(timeout=10_000)
    page.get_by_role("button", name="Keep the version in this editor").click()
    expect(status(page)).to_have_text("Saved", timeout=10_000)
    other.reload()
    expect(editor_of(other)).to_contain_text("# A insists")


def test_back_button_brings_the_latest_draft_not_the_first_one(page: Page):
    sign_up(page, "back-button@example.com")
    page.goto(CHALLENGE)
    replace_text(page, "# version one\n")
    expect(status(page)).to_have_text("Saved", timeout=10_000)
    page.goto("/profile")
    page.go_back()
    expect(editor_of(page)).to_contain_text("# version one")
    replace_text(page, "# version two\n")
    expect(status(page)).to_have_text("Saved", timeout=10_000)
    page.goto("/profile")
    page.go_back()
    expect(editor_of(page)).to_contain_text("# version two")
    page.keyboard.insert_text("")  # nothing typed: no save, and no conflict either
    expect(page.locator("#draft-conflict")).to_have_count(0)


def test_an_ended_session_signs_in_on_the_page_and_loses_nothing(page: Page, context: BrowserContext,
                                                                 artifacts):
    sign_up(page, "expired@example.com")
    page.goto(CHALLENGE)
    replace_text(page, "# before the session ended\n")
    expect(status(page)).to_have_text("Saved", timeout=10_000)

    context.clear_cookies()  # the session and the remember-me cookie are gone
    replace_text(page, "# typed while signed out\n")
    dialog = page.get_by_role("dialog", name="Sign in again")
    expect(dialog).to_be_visible(timeout=10_000)
    dialog.get_by_label("Email").fill("expired@example.com")
    dialog.get_by_label("Password").fill("wrong password")
    dialog.get_by_role("button", name="Sign in").click()
    expect(dialog.locator(".signin-error")).to_have_text("Email or password is wrong.")
    screenshots(page, artifacts, "signin-dialog")
    dialog.get_by_label("Password").fill(PASSWORD)
    dialog.get_by_role("button", name="Sign in").click()
    expect(dialog).to_be_hidden()
    expect(status(page)).to_have_text("Saved", timeout=10_000)

    # A Run after the session ended again goes through once signed in.
    context.clear_cookies()
    page.get_by_role("button", name="Run public tests").click()
    dialog = page.get_by_role("dialog", name="Sign in again")
    expect(dialog).to_be_visible(timeout=10_000)
    dialog.get_by_label("Email").fill("expired@example.com")
    dialog.get_by_label("Password").fill(PASSWORD)
    dialog.get_by_role("button", name="Sign in").click()
    expect(page.locator("#result [data-status=done]")).to_be_visible(timeout=60_000)
    page.reload()
    expect(editor_of(page)).to_contain_text("# typed while signed out")


def test_an_edit_whose_save_never_arrived_is_offered_back(page: Page, context: BrowserContext):
    sign_up(page, "offline@example.com")
    page.goto(CHALLENGE)
    replace_text(page, "# saved\n")
    expect(status(page)).to_have_text("Saved", timeout=10_000)
    context.set_offline(True)
    replace_text(page, "# typed offline\n")
    expect(status(page)).to_have_text("Not saved — retrying", timeout=10_000)
    page.close()
    context.set_offline(False)

    again = context.new_page()
    again.goto(CHALLENGE)
    expect(editor_of(again)).to_contain_text("# typed offline")
    expect(status(again)).to_have_text("Saved", timeout=10_000)
    again.reload()
    expect(editor_of(again)).to_contain_text("# typed offline")


def test_a_paste_over_the_file_limit_is_said_once_in_words(page: Page, context: BrowserContext):
    sign_up(page, "too-big@example.com")
    page.goto(CHALLENGE)
    replace_text(page, "# ok\n")
    expect(status(page)).to_have_text("Saved", timeout=10_000)
    # A real paste (typing 180 KB key by key would take the test minutes).
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.evaluate("text => navigator.clipboard.writeText(text)", "x = 1\n" * 30_000)
    editor_of(page).click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Control+V")  # 180,000 bytes: over 128 KiB per file
    expect(status(page)).to_contain_text("Not saved:", timeout=10_000)
    expect(status(page)).to_contain_text("over the 128 KiB limit per file")
    page.wait_for_timeout(3000)  # no retry loop turns it into "retrying"
    expect(status(page)).to_contain_text("over the 128 KiB limit per file")
    page.get_by_role("button", name="Run public tests").click()
    expect(page.locator("#result .result-error")).to_contain_text("over the 128 KiB limit per file")

"""Reset to starter puts the starter files back in the editor, after asking, and the
autosave keeps the reset (the same on practice and interview task pages)."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_solve_in_browser import sign_up
from tests.helpers import EXAMPLES

pytestmark = pytest.mark.docker
STARTER = (EXAMPLES / "retry-decorator" / "starter" / "solution.py").read_text()


def test_reset_asks_then_restores_the_starter(page: Page):
    sign_up(page, "resetter@example.com")
    page.goto("/challenges/examples/retry-decorator")
    editor = page.get_by_label("Code editor for solution.py")
    expect(editor).to_be_visible()
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text("changed = True\n")
    expect(page.locator("#save-status")).to_have_text("Saved", timeout=10_000)

    page.once("dialog", lambda dialog: dialog.dismiss())  # "cancel" keeps the code
    page.get_by_role("button", name="Reset to starter").click()
    expect(editor).to_contain_text("changed = True")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Reset to starter").click()
    expect(editor).not_to_contain_text("changed = True")
    expect(page.locator("#save-status")).to_have_text("Saved", timeout=10_000)
    page.reload()
    text = page.evaluate("() => document.querySelector('textarea[data-filename]').value")
    assert text == STARTER

"""Keyboard users reach the editor at once: the first Tab stop is a skip link to it."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_solve_in_browser import sign_up

pytestmark = pytest.mark.docker


def focused(page: Page) -> str:
    return page.evaluate("() => document.activeElement.getAttribute('aria-label')"
                         " || document.activeElement.textContent.trim().slice(0, 40)")


def test_two_keys_reach_the_editor(page: Page):
    sign_up(page, "keys@example.com")
    page.goto("/challenges/examples/retry-decorator")
    expect(page.get_by_label("Code editor for solution.py")).to_be_visible()
    page.keyboard.press("Tab")
    assert focused(page) == "Skip to the editor"
    expect(page.get_by_role("link", name="Skip to the editor")).to_be_in_viewport()
    page.keyboard.press("Enter")
    for _ in range(3):  # past the file tab(s) of the form, into the editor
        page.keyboard.press("Tab")
        if focused(page) == "Code editor for solution.py":
            break
    assert focused(page) == "Code editor for solution.py"
    page.keyboard.type("# typed\n")
    assert page.evaluate("() => document.querySelector('textarea[data-filename]').value"
                         ).startswith("# typed\n")


def test_every_page_starts_with_a_skip_to_the_content(page: Page):
    page.goto("/login")
    page.keyboard.press("Tab")
    assert focused(page) == "Skip to the content"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"

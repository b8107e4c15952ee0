"""The workspace of the challenge page in Chromium: panes that fill the window and
resize by mouse or keyboard, a theme that follows the system or the toggle (the editor
too), a remembered font size, the sandbox's versions, and axe-core's accessibility
rules with no serious violation on the main pages in either theme."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_solve_in_browser import sign_up
from tests.helpers import ROOT

pytestmark = pytest.mark.docker

CHALLENGE = "/challenges/examples/retry-decorator"
QUIZ = "/challenges/quiz-docker-api/api-auth-rate-limits-and-cors"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
DARK_EDITOR = "rgb(33, 37, 43)"  # the dark editor's background (One Dark's darker tone)


def _width(page: Page, selector: str) -> float:
    return page.locator(selector).evaluate("e => e.getBoundingClientRect().width")


def _height(page: Page, selector: str) -> float:
    return page.locator(selector).evaluate("e => e.getBoundingClientRect().height")


def test_panes_fill_the_window_and_resize_from_the_keyboard(page: Page, screens):
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_up(page, "workspace@example.com")
    page.goto(CHALLENGE)
    expect(page.locator(".cm-editor")).to_be_visible()
    # The page itself does not scroll; the prompt and the work scroll inside their panes.
    assert page.evaluate("document.documentElement.scrollHeight") <= 900
    columns = page.get_by_role("separator", name="Resize the prompt and the editor")
    rows = page.get_by_role("separator", name="Resize the editor")
    prompt_before, editor_before = _width(page, ".prompt"), _height(page, ".editor-pane")
    columns.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    rows.focus()
    for _ in range(3):
        page.keyboard.press("ArrowUp")
    prompt_after, editor_after = _width(page, ".prompt"), _height(page, ".editor-pane")
    assert prompt_after > prompt_before + 100, (prompt_before, prompt_after)  # 10% of ~1340 px
    assert editor_after < editor_before - 60, (editor_before, editor_after)
    assert columns.get_attribute("aria-valuenow") == str(round(
        float(page.locator(".solve").evaluate("e => getComputedStyle(e).getPropertyValue"
                                              "('--prompt-width')").rstrip("%"))))
    # Dragging moves it too.
    box = columns.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 200)
    page.mouse.down()
    page.mouse.move(box["x"] - 150, box["y"] + 200, steps=5)
    page.mouse.up()
    dragged = _width(page, ".prompt")
    assert dragged < prompt_after - 100, (prompt_after, dragged)

    page.reload()  # the sizes are remembered
    expect(page.locator(".cm-editor")).to_be_visible()
    assert abs(_width(page, ".prompt") - dragged) < 30
    assert abs(_height(page, ".editor-pane") - editor_after) < 2
    screens(page, "challenge")


def test_theme_toggle_font_size_and_versions(page: Page):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.emulate_media(color_scheme="light")
    sign_up(page, "themes@example.com")
    page.goto(CHALLENGE)
    editor = page.locator(".cm-editor").first
    expect(editor).to_be_visible()
    assert editor.evaluate("e => getComputedStyle(e).backgroundColor") != DARK_EDITOR

    # The system's dark scheme alone turns page and editor dark (no choice stored yet).
    page.emulate_media(color_scheme="dark")
    expect(editor).to_have_css("background-color", DARK_EDITOR)
    page.emulate_media(color_scheme="light")
    expect(editor).not_to_have_css("background-color", DARK_EDITOR)

    toggle = page.locator("#theme-toggle")
    expect(toggle).to_have_text("Theme: auto")
    toggle.click()
    expect(toggle).to_have_text("Theme: dark")
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(editor).to_have_css("background-color", DARK_EDITOR)
    body_bg = page.locator("body").evaluate("e => getComputedStyle(e).backgroundColor")
    assert body_bg == "rgb(20, 23, 27)"

    page.get_by_label("Font size").select_option("18")
    expect(page.locator(".cm-content").first).to_have_css("font-size", "18px")

    page.reload()  # both choices are remembered, over the light system scheme
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(page.locator(".cm-editor").first).to_have_css("background-color", DARK_EDITOR)
    expect(page.locator(".cm-content").first).to_have_css("font-size", "18px")
    expect(page.get_by_label("Font size")).to_have_value("18")
    page.locator("#theme-toggle").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    expect(page.locator(".cm-editor").first).not_to_have_css("background-color", DARK_EDITOR)

    # The worker read the versions inside the runner image and the editor says them.
    for _ in range(40):
        if page.locator("#sandbox-versions").count():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(page.locator("#sandbox-versions")).to_have_text(
        re.compile(r"^Your code runs with Python 3\.\d+\.\d+ · pytest \d+\.\d+\.\d+ · Flask \d+\.\d+"))


def _serious_violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations
          .filter(v => v.impact === 'serious' || v.impact === 'critical')
          .map(v => v.id + ': ' + v.nodes.slice(0, 3)
            .map(n => n.target.join(' ') + ' ' + n.any.map(c => c.message).join(' '))
            .join(', '));
    }""")


def test_axe_finds_no_serious_violation_in_either_theme(page: Page):
    page.set_viewport_size({"width": 1366, "height": 900})
    found = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.context.clear_cookies()
        for path in ("/", "/login", "/signup"):
            page.goto(path)
            found[f"{scheme} {path}"] = _serious_violations(page)
    sign_up(page, "axe@example.com")
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for path in ("/challenges", CHALLENGE, QUIZ, "/profile", "/interviews",
                     f"{CHALLENGE}/history"):
            page.goto(path)
            page.wait_for_load_state("networkidle")
            found[f"{scheme} {path}"] = _serious_violations(page)
    assert {page_: problems for page_, problems in found.items() if problems} == {}

"""Dropping a file on the editor: UTF-8 text goes in where it was dropped; anything else
is refused, saying so, and the editor keeps what it had (no U+FFFD stand-ins)."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_solve_in_browser import sign_up

pytestmark = pytest.mark.docker

DROP = """([name, bytes]) => {
    const content = document.querySelector(".cm-content");
    const box = content.getBoundingClientRect();
    const data = new DataTransfer();
    data.items.add(new File([new Uint8Array(bytes)], name));
    content.dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true,
        cancelable: true, clientX: box.left + 5, clientY: box.top + 5}));
}"""


def editor_text(page: Page) -> str:
    return page.evaluate("() => document.querySelector('textarea[data-filename]').value")


def test_only_utf8_files_are_inserted(page: Page):
    sign_up(page, "dropper@example.com")
    page.goto("/challenges/examples/retry-decorator")
    expect(page.get_by_label("Code editor for solution.py")).to_be_visible()
    before = editor_text(page)
    notice = page.locator("#editor-notice")

    page.evaluate(DROP, ["latin1.py", list("caf\xe9 = 1\n".encode("latin-1"))])
    expect(notice).to_have_text("latin1.py is not UTF-8 text; nothing was inserted.")
    assert editor_text(page) == before and "\ufffd" not in editor_text(page)

    page.evaluate(DROP, ["good.py", list("caf\xe9 = 1\n".encode())])
    expect(notice).to_have_text("Inserted good.py.")
    assert editor_text(page) == "caf\xe9 = 1\n" + before

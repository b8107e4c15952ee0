"""On a 360 px phone no page scrolls sideways: the header wraps, code and tables scroll
inside their own boxes, forms and the editor shrink to the screen."""

import pytest
from playwright.sync_api import Page

from tests.browser.test_solve_in_browser import sign_up

pytestmark = pytest.mark.docker

PAGES = ["/challenges", "/challenges/examples/retry-decorator",
         "/challenges/quiz-docker-api/api-auth-rate-limits-and-cors", "/profile", "/interviews",
         "/challenges/examples/retry-decorator/history"]


def test_no_page_is_wider_than_a_phone(page: Page, artifacts):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/login")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    sign_up(page, "narrow@example.com")
    too_wide = {}
    for path in PAGES:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            too_wide[path] = (width, page.evaluate(
                "() => [...document.querySelectorAll('body *')]"
                ".filter(e => e.getBoundingClientRect().right > 361).slice(0, 3)"
                ".map(e => e.tagName + '.' + e.className)"))
    page.goto("/challenges/examples/retry-decorator")
    page.screenshot(path=str(artifacts / "challenge-360.png"), full_page=True)
    assert too_wide == {}, too_wide

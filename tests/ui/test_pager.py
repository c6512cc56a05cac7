"""The pages' one pager (static/js/pager.js) in headless Chromium: the "51–100 of 120" text,
buttons enabled only where they lead somewhere, the offset each click asks for, and a reset
for a new filter. Served from a routed origin, so no server is started."""

from __future__ import annotations

import pytest

from tests.support.server import REPO

pytestmark = pytest.mark.ui

ORIGIN = "http://nomarr.test"
PAGE = """<button data-prev>Previous</button><span data-info></span><button data-next>Next</button>
<script type="module">
import { pager } from "/static/js/pager.js";
window.asked = [];
window.pages = pager({
  prev: document.querySelector("[data-prev]"),
  next: document.querySelector("[data-next]"),
  info: document.querySelector("[data-info]"),
  pageSize: 50,
  onChange: () => window.asked.push(window.pages.query()),
});
window.pages.show(120);
window.ready = true;
</script>"""


def state(page) -> tuple[str, bool, bool]:
    return (
        page.inner_text("[data-info]"),
        page.is_disabled("[data-prev]"),
        page.is_disabled("[data-next]"),
    )


def test_the_pager_moves_by_a_page_and_says_where_it_is(browser):
    page = browser.new_page()
    try:

        def answer(route):
            path = route.request.url[len(ORIGIN) :]
            if path.startswith("/static/js/"):
                script = (REPO / path.lstrip("/").split("?")[0]).read_text()
                route.fulfill(body=script, content_type="text/javascript")
            else:
                route.fulfill(body=PAGE, content_type="text/html")

        page.route(f"{ORIGIN}/**", answer)
        page.goto(f"{ORIGIN}/web/imports")
        page.wait_for_function("() => window.ready === true")
        assert state(page) == ("1–50 of 120", True, False)
        page.click("[data-next]")
        page.evaluate("() => window.pages.show(120)")
        assert state(page) == ("51–100 of 120", False, False)
        page.click("[data-next]")
        page.evaluate("() => window.pages.show(120)")
        assert state(page) == ("101–120 of 120", False, True)
        page.click("[data-prev]")
        assert page.evaluate("() => window.asked") == [
            {"limit": "50", "offset": "50"},
            {"limit": "50", "offset": "100"},
            {"limit": "50", "offset": "50"},
        ]
        page.evaluate("() => { window.pages.reset(); window.pages.show(0); }")
        assert state(page) == ("", True, True)
        assert page.evaluate("() => window.pages.offset") == 0
    finally:
        page.close()

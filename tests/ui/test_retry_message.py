"""The UI's fetch helper (static/js/app.js `api`) in headless Chromium: a throttled answer becomes
"Too many attempts; try again in N minutes" from Retry-After, never "429 Unknown Status". Served
from a routed origin, so no server is started."""

from __future__ import annotations

import pytest

from tests.support.server import REPO

pytestmark = pytest.mark.ui

ORIGIN = "http://nomarr.test"
# app.js is an ES module, as every page script: the page imports it and exposes `api` here.
PAGE = '<script type="module">import { api } from "/app.js"; window.api = api;</script>'


def test_a_throttled_api_answer_says_when_to_retry(browser):
    app_js = (REPO / "static" / "js" / "app.js").read_text()
    page = browser.new_page()
    try:

        def answer(route):
            url = route.request.url
            if url.endswith("/app.js"):
                route.fulfill(body=app_js, content_type="text/javascript")
            elif url.endswith("/api/web/auth/login"):
                # daphne's reason phrase for 429 is "Unknown Status"; the body is the error format
                route.fulfill(
                    status=429,
                    headers={"Retry-After": "840"},
                    content_type="application/json",
                    body='{"success": false, "error": "RATE_LIMIT_ERROR", "message": "Later"}',
                )
            else:
                route.fulfill(body=PAGE, content_type="text/html")

        page.route(f"{ORIGIN}/**", answer)
        page.goto(f"{ORIGIN}/web/settings")
        page.wait_for_function("() => window.api !== undefined")
        message = page.evaluate(
            """() => window.api("/api/web/auth/login", {method: "POST", body: {}})
                 .then(() => "no error", (error) => `${error.status} ${error.message}`)"""
        )
        assert message == "429 Too many attempts; try again in 14 minutes."
    finally:
        page.close()

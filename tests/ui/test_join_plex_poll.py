"""The join page's Plex sign-in poll (static/js/join.js) in headless Chromium: while the page
waits for the invitee to approve the PIN it asks the status URL its template gives, and reloads
once the answer is `signed_in`. Served from a routed origin, so no server is started."""

from __future__ import annotations

import json

import pytest

from tests.support.server import REPO

pytestmark = pytest.mark.ui

ORIGIN = "http://nomarr.test"
PAGE = """<main data-plex-signin data-state="waiting" data-status-url="/j/CODE/plex/status">
<script type="module" src="/static/js/join.js"></script></main>"""


def test_the_waiting_join_page_reloads_once_plex_says_signed_in(browser):
    answers = iter(["waiting", "waiting", "signed_in"])
    polls, loads = [], []
    page = browser.new_page()
    try:

        def answer(route):
            path = route.request.url[len(ORIGIN) :]
            if path.startswith("/static/js/"):
                script = (REPO / path.lstrip("/")).read_text()
                route.fulfill(body=script, content_type="text/javascript")
            elif path == "/j/CODE/plex/status":
                polls.append(path)
                status = next(answers, "signed_in")
                body = json.dumps({"status": status, "username": ""})
                route.fulfill(body=body, content_type="application/json")
            else:
                loads.append(path)
                route.fulfill(body=PAGE, content_type="text/html")

        page.route(f"{ORIGIN}/**", answer)
        page.goto(f"{ORIGIN}/j/CODE")
        page.wait_for_event("load", timeout=20_000)  # the reload after `signed_in` (3rd poll)
        assert len(polls) >= 3
        assert loads[:2] == ["/j/CODE", "/j/CODE"]
    finally:
        page.close()

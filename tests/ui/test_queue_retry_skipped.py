"""The queue page in headless Chromium: "Retry all errors" says which jobs it left out and why
(the API's `skipped`), instead of staying silent. The real page and scripts are served from a
routed origin with canned API answers, so no server is started."""

from __future__ import annotations

import json
import mimetypes

import pytest

from tests.support.server import REPO

pytestmark = pytest.mark.ui

ORIGIN = "http://nomarr.test"
# What the page loads besides the retry: an empty list, the counts and the workers.
ANSWERS = {
    "/api/web/queue/list": {"jobs": [], "total": 0, "limit": 25, "offset": 0},
    "/api/web/queue/queue-depth": {"pending": 0, "running": 0, "completed": 0, "errors": 1},
    "/api/web/worker/status": {
        "status": "ok",
        "alive": True,
        "paused": False,
        "clusters": 1,
        "details": [],
    },
}
RETRIED = {
    "count": 1,
    "retried": [7],
    "skipped": [{"id": 3, "reason": "job 9 for the same work is already pending or running"}],
    "status": "success",
}


def queue_page_html(rf) -> str:
    """The queue page's template, rendered without the database (Playwright's event loop
    runs in this thread, so the ORM may not)."""
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string

    from jobs.models import Job

    request = rf.get("/web/queue")
    request.user = AnonymousUser()
    counts = {"pending": 0, "running": 0, "completed": 0, "errors": 1, "cancelled": 0}
    context = {"active": "queue", "counts": counts, "statuses": Job.Status.choices}
    return render_to_string("jobs/queue.html", context, request=request)


def test_retry_all_errors_shows_the_jobs_it_skipped_and_why(rf, browser):
    html = queue_page_html(rf)
    retried = []
    page = browser.new_page()
    try:

        def answer(route):
            url = route.request.url
            path = url[len(ORIGIN) :].split("?")[0]
            if path.startswith("/static/"):
                file = REPO / "static" / path[len("/static/") :]
                kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
                route.fulfill(body=file.read_bytes(), content_type=kind)
            elif path == "/api/web/queue/retry":
                retried.append(route.request.post_data)
                route.fulfill(body=json.dumps(RETRIED), content_type="application/json")
            elif path in ANSWERS:
                route.fulfill(body=json.dumps(ANSWERS[path]), content_type="application/json")
            elif path.startswith("/api/"):
                route.fulfill(status=404, body="{}", content_type="application/json")
            else:
                route.fulfill(body=html, content_type="text/html")

        page.route(f"{ORIGIN}/**", answer)
        page.goto(f"{ORIGIN}/web/queue")
        page.click('[data-action="retry-errors"]')
        message = page.locator("#queue-page [data-message]")
        message.wait_for(state="visible", timeout=10_000)
        assert message.text_content() == (
            "1 not retried: job 9 for the same work is already pending or running"
        )
        assert json.loads(retried[0]) == {"all_errors": True}
    finally:
        page.close()

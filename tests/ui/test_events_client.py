"""The pages' one event client (static/js/events.js) in headless Chromium: handlers get each
named event's data, and a stream the page reopens resumes after the last event id it saw
(`?last_event_id=`). Served from a routed origin, so no server is started."""

from __future__ import annotations

import json

import pytest

from tests.support.server import REPO

pytestmark = pytest.mark.ui

ORIGIN = "http://nomarr.test"
JOB = {"id": 4, "status": "running", "progress": {"fraction": 0.5}}
STREAM = f"retry: 60000\n\nid: 17\nevent: queue:jobs\ndata: {json.dumps(JOB)}\n\n"
PAGE = """<script type="module">
import { openStream } from "/static/js/events.js";
window.received = [];
window.stream = openStream("/api/web/events/status?rooms=queue");
window.stream.on("queue:jobs", (job) => window.received.push(job));
</script>"""


def test_a_reopened_stream_resumes_after_the_last_event_it_saw(browser):
    requested = []
    page = browser.new_page()
    try:

        def answer(route):
            url = route.request.url
            path = url[len(ORIGIN) :]
            if path.startswith("/static/js/"):
                script = (REPO / path.lstrip("/").split("?")[0]).read_text()
                route.fulfill(body=script, content_type="text/javascript")
            elif path.startswith("/api/web/events/status"):
                requested.append(path)
                route.fulfill(body=STREAM, content_type="text/event-stream")
            else:
                route.fulfill(body=PAGE, content_type="text/html")

        page.route(f"{ORIGIN}/**", answer)
        page.goto(f"{ORIGIN}/web/queue")
        page.wait_for_function("() => window.received && window.received.length === 1")
        assert page.evaluate("() => window.received[0]") == JOB
        page.evaluate("() => window.stream.reopen()")
        page.wait_for_function("() => window.received.length === 2")
        assert requested[0] == "/api/web/events/status?rooms=queue"
        assert requested[-1] == "/api/web/events/status?rooms=queue&last_event_id=17"
    finally:
        page.close()

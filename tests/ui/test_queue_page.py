"""The queue page answers the obvious questions at desktop and phone width: why a job waits,
when it was queued, started and finished and how long it took, and which track it is about;
and it never scrolls sideways."""

from __future__ import annotations

import re

import pytest

from tests.ui.test_browser import settle
from tests.ui.test_field_errors import sideways


@pytest.mark.parametrize("width", [1280, 375])
def test_a_waiting_job_says_why_and_a_finished_one_its_times_and_track(page, ui_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    first = ui_server.files["first"]
    track = ui_server.track_id(first)
    ui_server.api("POST", "/api/web/worker/pause")
    try:
        queued = ui_server.api(
            "POST", "/api/web/processing/process-files", {"paths": [str(first)], "force": True}
        )
        (job_id,) = queued["job_ids"]
        page.goto(ui_server.url("/web/queue"))
        settle(page)
        row = page.locator(f'[data-jobs] tr[data-job="{job_id}"]')
        row.wait_for()
        assert re.fullmatch(r"1–(\d+) of \1", page.inner_text("[data-page-info]"))
        assert "the workers are paused (Resume starts them)" in row.inner_text()
        assert "queued " in row.locator('td[data-label="Times"]').inner_text()
        link = row.locator('td[data-label="File"] a')
        assert link.get_attribute("href") == f"/web/tracks/{track}"
        assert link.inner_text() == str(first)
        assert sideways(page) == []
    finally:
        ui_server.api("POST", "/api/web/worker/resume")
    assert ui_server.wait_for_job(job_id)["status"] == "done"
    times = page.locator(f'[data-jobs] tr[data-job="{job_id}"] td[data-label="Times"]')
    page.wait_for_function(
        "(id) => (document.querySelector(`tr[data-job='${id}'] td[data-label=Times]`) || {})"
        ".innerText?.includes('took')",
        arg=job_id,
        timeout=20_000,
    )
    text = times.inner_text()
    assert "started " in text and "finished " in text and "took " in text
    if width == 375:  # the table became cards: the column names sit beside each value
        label = page.evaluate(
            "(id) => getComputedStyle(document.querySelector("
            "`tr[data-job='${id}'] td[data-label=Times]`), '::before').content",
            job_id,
        )
        assert label == '"Times"'
    assert sideways(page) == []
    assert list(page.errors) == []

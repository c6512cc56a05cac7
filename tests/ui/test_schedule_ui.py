"""The rescan schedule card of the Series page in headless Chromium against the real server:
it shows the next run, saves a new schedule (the next run moves to a chosen day), puts a bad
field's message beside that field, and says why a rescan cannot start without a series
directory."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.ui.conftest import UiServer

pytestmark = pytest.mark.ui


def test_the_schedule_card_shows_saves_and_explains(page, ui_server: UiServer):
    page.goto(ui_server.url("/web/series"))
    card = page.locator("#schedule")
    expect(card.locator("[data-next-run]")).not_to_have_text("…")
    expect(card.locator("[data-last-run]")).to_have_text("never")
    assert card.locator("input[name=schedule_time]").input_value() == "03:00"

    card.locator("input[name=schedule_time]").fill("05:30")
    card.locator("input[name=interval_minutes]").fill("1440")
    for box in card.locator('input[name="day"]').all():
        box.set_checked(box.get_attribute("value") == "sat")
    card.locator("button[type=submit]").click()
    expect(card.locator("[data-next-run]")).to_contain_text("5:30")
    saved = ui_server.api("GET", "/api/scheduler/config")
    assert saved["config"]["schedule_time"] == "05:30"
    assert saved["config"]["schedule_days"] == ["sat"]

    card.locator("input[name=interval_minutes]").fill("0")
    card.locator("button[type=submit]").click()
    message = card.locator('[data-field-message="interval_minutes"]')
    expect(message).to_contain_text("1")
    assert ui_server.api("GET", "/api/scheduler/config")["config"]["interval_minutes"] == 1440

    for box in card.locator('input[name="day"]').all():
        box.set_checked(False)
    card.locator("input[name=interval_minutes]").fill("60")
    card.locator("button[type=submit]").click()
    expect(card.locator('[data-field-message="schedule_days"]')).to_be_visible()

    if not ui_server.api("GET", "/api/anime/status")["directory"]:
        card.locator("[data-trigger]").click()
        expect(card.locator("[data-schedule-error]")).to_contain_text("No series directory")

    every_day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    restore = {"schedule_time": "03:00", "interval_minutes": 60, "schedule_days": every_day}
    ui_server.api("POST", "/api/scheduler/config", restore)
    # The browser reports each refused request (422, 503) as a console error; nothing else.
    assert [e for e in page.errors if "422" not in e and "503" not in e] == []

"""Live invitation pages in headless Chromium against the real server: an invitation made
through the API and an invitee redeeming it in another browser update the open invitations and
users pages without a reload, and a user deleted through the API leaves the users page."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.support.mediaservers.mediabrowser import JellyfinFake

pytestmark = pytest.mark.ui

PASSWORD = "Invitee-Passw0rd"
SETTLE = 0.5  # the stream is open; give the server a moment to have joined the room


@pytest.fixture
def jellyfin():
    fake = JellyfinFake()
    fake.add_library("Live Music", "music")
    fake.start()
    yield fake
    fake.stop()


def open_live(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("[data-live][data-stream-state=open]")
    page.evaluate("() => { window.notReloaded = true; }")
    time.sleep(SETTLE)


def add_synced_server(page, ui_server, fake) -> list[int]:
    page.goto(ui_server.url("/web/servers"))
    page.fill("#server-name", "Live Jellyfin")
    page.select_option("#server-type", "jellyfin")
    page.fill("#server-url", fake.url)
    page.fill("#server-token", fake.api_key)
    page.click("text=Add server")
    page.wait_for_selector("text=Server Live Jellyfin added")
    page.locator("tr", has_text="Live Jellyfin").locator("text=Sync libraries").click()
    page.wait_for_selector("text=Libraries synced: 1 found.")
    libraries = ui_server.api("GET", "/api/libraries")["libraries"]
    return [lib["id"] for lib in libraries if lib["name"] == "Live Music"]


def test_redeeming_in_another_browser_updates_the_open_pages_without_a_reload(
    page, admin_context, browser, ui_server, jellyfin
):
    library_ids = add_synced_server(page, ui_server, jellyfin)
    users_tab = admin_context.new_page()
    users_tab.set_default_timeout(15_000)
    try:
        open_live(page, ui_server.url("/web/invitations"))
        open_live(users_tab, ui_server.url("/web/users"))

        made = ui_server.api(
            "POST", "/api/invitations", {"library_ids": library_ids, "unlimited": False}
        )["invitation"]
        row = page.locator(f"tr[data-invitation='{made['id']}']")
        row.wait_for()
        assert "pending" in row.locator("td[data-label=Status]").inner_text()

        guest = browser.new_context()
        try:
            join = guest.new_page()
            join.goto(ui_server.url(f"/j/{made['code']}"))
            join.fill("#username", "livejoiner")
            join.fill("#password", PASSWORD)
            join.click("text=Create my account")
            join.wait_for_selector("text=Welcome, livejoiner")
        finally:
            guest.close()

        status = row.locator("td[data-label=Status]")
        expect(status).to_contain_text("used (livejoiner)", timeout=15_000)
        joined = users_tab.locator("tr", has_text="livejoiner")
        joined.wait_for()
        user_id = joined.get_attribute("data-user")

        ui_server.api("DELETE", f"/api/users/{user_id}")
        joined.wait_for(state="detached")
        assert page.evaluate("() => window.notReloaded") is True
        assert users_tab.evaluate("() => window.notReloaded") is True
        assert list(page.errors) == []
    finally:
        users_tab.close()

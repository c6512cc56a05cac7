"""The invitation pages in headless Chromium against the real server: adding a media server,
creating an invitation (its link, copy button and QR code), the public join page, and none of
the pages overflowing at phone width."""

from __future__ import annotations

import pytest

from tests.ui.test_browser import PHONE

pytestmark = pytest.mark.ui


def overflows(page) -> bool:
    width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    return width[0] > width[1] + 1


def test_an_owner_adds_a_server_and_invites_someone_who_opens_the_link(
    page, browser, ui_server, screenshots
):
    page.goto(ui_server.url("/web/servers"))
    page.fill("#server-name", "Family Jellyfin")
    page.select_option("#server-type", "jellyfin")
    page.fill("#server-url", "http://127.0.0.1:9")
    page.fill("#server-token", "ui-secret-token-123")
    page.click("text=Add server")
    page.wait_for_selector("text=Server Family Jellyfin added")
    assert "ui-secret-token-123" not in page.content()

    page.goto(ui_server.url("/web/invitations"))
    page.select_option("#inv-expires", "7")
    page.fill("#inv-duration", "30")
    page.click("text=Create invitation")
    page.wait_for_selector("text=created.")
    link = page.locator("[data-copy]").first.get_attribute("data-copy")
    assert "/j/" in link
    page.locator("[data-copy]").first.click()
    page.locator("summary", has_text="QR code").first.click()
    assert page.locator(".qr svg").first.is_visible()
    page.screenshot(path=screenshots / "invitations.png", full_page=True)

    guest = browser.new_context(viewport=PHONE)
    try:
        join = guest.new_page()
        response = join.goto(link)
        assert response.status == 200
        assert join.locator("[data-granted]").inner_text().startswith("Family Jellyfin")
        assert not overflows(join)
        join.screenshot(path=screenshots / "join-375.png", full_page=True)
    finally:
        guest.close()

    page.set_viewport_size(PHONE)
    for path in ("/web/servers", "/web/invitations", "/web/users"):
        page.goto(ui_server.url(path))
        assert not overflows(page), path
    assert list(page.errors) == []

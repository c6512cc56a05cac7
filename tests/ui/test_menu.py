"""The menu stays one line at desktop width however many pages the apps add (groups open on
hover or keyboard focus), and at phone width the toggle lists every page."""

from __future__ import annotations

from tests.ui.test_browser import settle
from tests.ui.test_field_errors import sideways


def test_at_desktop_width_the_menu_is_one_line_and_a_group_opens_on_hover(page, ui_server):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(ui_server.url("/web/dashboard"))
    settle(page)
    tops = page.evaluate(
        "() => [...document.querySelectorAll('#main-nav > a, #main-nav > .nav-group')]"
        ".map((e) => Math.round(e.getBoundingClientRect().top))"
    )
    assert len(set(tops)) == 1, tops  # every top-level item on the same line
    libraries = page.locator("#main-nav a", has_text="Libraries")
    assert libraries.is_hidden()
    page.hover("#main-nav .nav-group-label >> text=Music")
    assert libraries.is_visible()
    libraries.click()
    page.wait_for_url("**/web/libraries")
    settle(page)
    # The open page's group is marked, and keyboard focus opens a group too.
    assert (
        page.locator("#main-nav .nav-group.active .nav-group-label")
        .inner_text()
        .startswith("Music")
    )
    page.focus("#main-nav .nav-group-label >> text=Sharing")
    assert page.locator("#main-nav a", has_text="Invitations").is_visible()
    assert sideways(page) == []


def test_at_phone_width_the_toggle_lists_every_page_of_every_group(page, ui_server):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(ui_server.url("/web/dashboard"))
    settle(page)
    page.click("[data-nav-toggle]")
    for label in ("Libraries", "Processing", "Servers", "Invitations", "Users", "Settings"):
        assert page.locator("#main-nav a", has_text=label).is_visible(), label
    assert sideways(page) == []

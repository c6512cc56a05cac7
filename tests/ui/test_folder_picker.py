"""Picking folders on the server from the browser: the library form's root and the settings'
models folder, at desktop and phone width."""

from __future__ import annotations

import pytest

from tests.ui.test_browser import settle
from tests.ui.test_field_errors import sideways


@pytest.mark.parametrize("width", [1280, 375])
def test_the_library_root_is_picked_by_walking_the_servers_folders(page, ui_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(ui_server.url("/web/libraries"))
    settle(page)
    start = ui_server.root.parent
    page.fill("#lib-root", str(start))
    page.click('[data-browse="root_path"]')
    picker = page.locator('[data-picker="root_path"]')
    picker.locator(f'[data-picker-path]:text-is("{start}")').wait_for()
    picker.locator("button[data-open]", has_text=ui_server.root.name).click()
    picker.locator(f'[data-picker-path]:text-is("{ui_server.root}")').wait_for()
    picker.locator("button[data-open]", has_text="↑ Up").wait_for()
    picker.locator("button[data-use]").click()
    assert page.input_value("#lib-root") == str(ui_server.root)
    assert picker.is_hidden()
    assert sideways(page) == []
    assert list(page.errors) == []


def test_the_models_folder_has_the_same_picker_on_the_settings_page(page, ui_server):
    page.goto(ui_server.url("/web/settings"))
    settle(page)
    field = page.locator('[data-path$="models_dir"]')
    field.wait_for()
    field.locator("button[data-browse]").click()
    listing = field.locator(".folder-picker")
    listing.locator("[data-picker-path]").wait_for()
    assert listing.locator("[data-picker-path]").inner_text() != ""
    assert listing.locator("button[data-open]").count() >= 1
    assert list(page.errors) == []

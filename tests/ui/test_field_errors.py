"""Forms say what went wrong next to the field that caused it (libraries and API keys), at
desktop and phone width, and a name over the limit is refused with its length, not cut."""

from __future__ import annotations

import pytest

from tests.ui.test_browser import settle

WIDTHS = [1280, 375]


def message_under(page, input_selector: str) -> str:
    """The field message the page put after `input_selector`, checked to be tied to it."""
    note = page.locator(f"{input_selector} + [data-field-message]")
    note.wait_for(state="visible")
    assert page.get_attribute(input_selector, "aria-invalid") == "true"
    assert page.get_attribute(input_selector, "aria-describedby") == note.get_attribute("id")
    return note.inner_text()


def script_errors(page) -> list[str]:
    """Console errors other than the browser's own note of each refused request (expected)."""
    return [e for e in page.errors if not e.startswith("Failed to load resource")]


def sideways(page) -> list[str]:
    """The elements reaching past the window's right edge (none: the page does not scroll
    sideways)."""
    return page.evaluate(
        """() => {
            const limit = document.documentElement.clientWidth + 1;
            return [...document.querySelectorAll("body *")]
                .filter((e) => e.getBoundingClientRect().right > limit && e.offsetParent !== null)
                .map((e) => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}.${e.className}`);
        }"""
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_a_taken_library_name_is_explained_next_to_the_name_field(page, ui_server, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(ui_server.url("/web/libraries"))
    settle(page)
    taken = page.locator("[data-rows] tr td").first.inner_text().strip()
    page.fill("#lib-name", taken.upper())
    page.fill("#lib-root", str(ui_server.root.parent))
    page.click("form[data-library-form] [data-submit]")
    text = message_under(page, "#lib-name")
    assert text == f"A library named '{taken.upper()}' already exists; choose another name."
    name_box = page.locator("#lib-name").bounding_box()
    note_box = page.locator("#lib-name + [data-field-message]").bounding_box()
    assert 0 <= note_box["y"] - (name_box["y"] + name_box["height"]) < 40  # right under it
    assert sideways(page) == []
    # Fixing the name clears the message with the next answer.
    page.fill("#lib-name", f"{taken} copy {width}")
    page.fill("#lib-root", "/definitely/not/here")
    page.click("form[data-library-form] [data-submit]")
    page.locator("#lib-name + [data-field-message]").wait_for(state="detached")
    assert page.locator("[data-field-message]").count() >= 1  # now the root is what is wrong
    assert page.get_attribute("#lib-name", "aria-invalid") is None
    assert script_errors(page) == []


@pytest.mark.parametrize("width", WIDTHS)
def test_an_api_key_name_over_the_limit_is_refused_whole_and_a_taken_one_named(
    page, ui_server, width
):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(ui_server.url("/web/settings"))
    settle(page)
    page.fill("#key-name", "k" * 120)
    assert len(page.input_value("#key-name")) == 120  # the field does not cut what was typed
    page.click("form[data-key-create] button[type=submit]")
    assert message_under(page, "#key-name") == "The name is 120 characters long; the limit is 100."
    assert page.locator("[data-key-created]").is_hidden()

    name = f"Field errors {width}"
    page.fill("#key-name", name)
    page.click("form[data-key-create] button[type=submit]")
    page.locator("[data-key-value]").wait_for(state="visible")
    page.locator("#key-name + [data-field-message]").wait_for(state="detached")
    page.fill("#key-name", name.lower())
    page.click("form[data-key-create] button[type=submit]")
    assert message_under(page, "#key-name") == (
        f"An API key named '{name.lower()}' already exists; choose another name or revoke it."
    )
    assert sideways(page) == []
    assert script_errors(page) == []


def test_a_bad_setting_is_explained_next_to_its_field_and_cleared_once_saved(page, ui_server):
    page.goto(ui_server.url("/web/settings"))
    settle(page)
    field = page.locator('#configuration input[name$="models_dir"]')
    field.wait_for()
    good = field.input_value()
    field.fill("/no/such/models/folder")
    page.click("#configuration [data-config-form] button[type=submit]")
    name = field.get_attribute("name")
    note = page.locator(f'#configuration [data-field-message="{name}"]')
    note.wait_for(state="visible")
    assert "/no/such/models/folder" in note.inner_text()
    assert field.get_attribute("aria-invalid") == "true"
    field.fill(good)
    page.click("#configuration [data-config-form] button[type=submit]")
    note.wait_for(state="detached")
    assert field.get_attribute("aria-invalid") is None
    assert script_errors(page) == []

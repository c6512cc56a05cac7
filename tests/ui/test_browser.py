"""The web UI in a real headless Chromium against the real server: logging in, every page of
the navigation, phone width, the dashboard's live cards, the libraries page's tracks, API keys
on the settings page, queueing on the processing page and the track page's scores. Screenshots
of the pages land in docs/screenshots/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.ui.conftest import ADMIN_PASSWORD, ConsoleErrors

pytestmark = pytest.mark.ui

PHONE = {"width": 375, "height": 740}
JOB_TIMEOUT_MS = 90_000


def navigation(page) -> list[tuple[str, str]]:
    links = page.locator("#main-nav a")
    return [
        (links.nth(i).inner_text().strip(), links.nth(i).get_attribute("href"))
        for i in range(links.count())
    ]


def settle(page) -> None:
    """Let the page's script load its data (pages keep an event stream open, so the network
    never goes idle: wait for the 'loading…' placeholders to go instead)."""
    page.wait_for_load_state("load")
    page.wait_for_function(
        "() => !document.querySelector('#content').innerText.includes('loading…')",
        timeout=10_000,
    )


# What each page's screenshot must show, given the session server (a library "Music" of two
# tracks by Test Artist, the first one tagged): its sections and the data they were filled with.
# The README's screenshots are these pages, so a screenshot cannot silently show an error or
# an empty page.
PAGE_SHOWS = {
    "/web/dashboard": ["Get started", "Models", "ready", "Total duration"],
    "/web/queue": ["Counts", "Workers", "01 Morning.flac", "done"],
    "/web/libraries": ["Your libraries", "Music", "Statistics", "Test Artist"],
    "/web/process": ["Pick files and folders", "Test Artist"],
    "/web/calibration": ["In effect", "Runs"],
    "/web/analytics": ["Moods", "Genres", "Mood correlations", "Heads"],
    "/web/navidrome": ["Smart playlist", "navidrome.toml", "Tags"],
    "/web/series": ["Your series", "Rescan schedule", "Next rescan"],
    "/web/downloads": ["Queue", "Downloading", "Waiting", "Failed", "Completed"],
    "/web/servers": ["Your servers", "Add a server"],
    "/web/invitations": ["Create an invitation", "Your invitations"],
    "/web/users": ["Accounts on your servers"],
    "/web/settings": ["API keys", "Configuration", "Backups"],
}


def assert_shows(page, href: str) -> None:
    """The page shows its expected texts, no error box, and nothing wider than the window."""
    content = page.locator("#content")
    for snippet in PAGE_SHOWS.get(href, []):  # some parts are filled after the page loads
        expect(content, f"{href} does not show {snippet!r}").to_contain_text(snippet)
    shown_errors = [
        box.inner_text() for box in page.locator("#content [role=alert]").all() if box.is_visible()
    ]
    assert shown_errors == [], f"{href} shows errors: {shown_errors}"
    width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width[0] <= width[1] + 1, f"{href} scrolls sideways: {width}"


def slug(href: str) -> str:
    return href.strip("/").replace("web/", "").replace("/", "-") or "root"


def test_logging_in_through_the_login_page_leads_to_the_page_asked_for(browser, ui_server):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(ui_server.url("/web/process"))
        assert "/web/login" in page.url
        page.fill("#password", "Wrong-Password-1")
        page.click("form[data-testid=login-form] button[type=submit]")
        assert page.locator("[role=alert]").is_visible()
        page.fill("#password", ADMIN_PASSWORD)
        page.click("form[data-testid=login-form] button[type=submit]")
        page.wait_for_url("**/web/process")
        assert page.locator("h1").inner_text() == "Processing"
    finally:
        context.close()


def test_the_login_page_looks_right(browser, ui_server, screenshots):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.goto(ui_server.url("/web/login"))
        page.screenshot(path=screenshots / "login.png")
    finally:
        context.close()


def test_every_navigation_link_opens_without_console_errors(page, ui_server, screenshots):
    page.goto(ui_server.url("/web/dashboard"))
    links = navigation(page)
    assert [label for label, _href in links] == [
        "Dashboard",
        "Queue",
        "Libraries",
        "Processing",
        "Calibration",
        "Analytics",
        "Navidrome",
        "Series",
        "Downloads",
        "Imports",
        "Servers",
        "Invitations",
        "Users",
        "Settings",
    ]  # an area appears in the menu with the page that fills it (groups: Music, Series, Sharing)
    for label, href in links:
        response = page.goto(ui_server.url(href))
        assert response.status == 200, href
        settle(page)
        assert page.locator("h1").first.is_visible(), href
        assert page.locator("#main-nav a.active").inner_text().strip() == label
        assert_shows(page, href)
        page.screenshot(path=screenshots / f"{slug(href)}.png")
    assert list(page.errors) == []


def test_at_phone_width_the_menu_toggle_shows_the_navigation_and_nothing_overflows(
    admin_context, ui_server, screenshots
):
    page = admin_context.new_page()
    errors = ConsoleErrors()
    errors.watch(page)
    page.set_viewport_size(PHONE)
    try:
        page.goto(ui_server.url("/web/dashboard"))
        nav = page.locator("#main-nav")
        assert not nav.is_visible()
        page.click("[data-nav-toggle]")
        assert nav.is_visible()
        assert page.get_attribute("[data-nav-toggle]", "aria-expanded") == "true"
        page.screenshot(path=screenshots / "menu-375.png")
        track = ui_server.track_id(ui_server.files["first"])
        hrefs = [href for _label, href in navigation(page)] + [f"/web/tracks/{track}"]
        problems = []
        for href in hrefs:
            page.goto(ui_server.url(href))
            settle(page)
            try:
                assert_shows(page, href)
            except AssertionError as problem:
                problems.append(str(problem))
            if href in (
                "/web/dashboard",
                "/web/libraries",
                "/web/process",
                f"/web/tracks/{track}",
                "/web/settings",
            ):
                name = "track" if "tracks" in href else slug(href)
                page.screenshot(path=screenshots / f"{name}-375.png", full_page=True)
        assert problems == []
        assert list(errors) == []
    finally:
        page.close()


def test_the_settings_page_shows_a_new_api_key_once_and_revokes_it(page, ui_server):
    page.goto(ui_server.url("/web/settings"))
    settle(page)
    page.fill("#key-name", "UI test key")
    options = page.locator("#key-scope option")
    assert [options.nth(i).get_attribute("value") for i in range(2)] == ["tag", "full"]
    assert page.input_value("#key-scope") == "tag"  # the least power is offered first
    page.click("form[data-key-create] button[type=submit]")
    shown = page.locator("[data-key-value]")
    shown.wait_for(state="visible")
    key = shown.inner_text().strip()
    assert len(key) >= 32
    row = page.locator("[data-key-rows] tr", has_text="UI test key")
    row.wait_for()
    assert "tag" in row.locator("td").nth(2).inner_text()

    page.reload()
    settle(page)
    assert key not in page.content()  # shown once, never again
    row = page.locator("[data-key-rows] tr", has_text="UI test key")
    assert row.count() == 1

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Revoke").click()
    row.wait_for(state="detached")
    assert list(page.errors) == []


def test_the_processing_page_queues_a_file_and_watches_it_finish(page, ui_server, screenshots):
    page.goto(ui_server.url("/web/process"))
    page.locator("[data-entries] [data-open]", has_text="Test Artist").click()
    page.locator("[data-entries] [data-open]", has_text="First Album").click()
    page.get_by_label("Select 02 Evening.mp3").check()
    page.locator("summary", has_text="Or paste paths").click()
    page.fill("[data-pasted]", "/etc/passwd")
    page.click('[data-action="add-pasted"]')
    assert page.locator("[data-selected] li").count() == 2
    page.screenshot(path=screenshots / "processing-picking.png")

    page.click('[data-action="queue"]')
    refused = page.locator('[data-refused-list] [data-refused-path="/etc/passwd"]')
    refused.wait_for()
    assert "outside every library root" in refused.inner_text()
    row = page.locator("[data-jobs] tr")
    row.wait_for()
    assert row.count() == 1
    page.wait_for_selector('[data-jobs] tr[data-status="done"]', timeout=JOB_TIMEOUT_MS)
    expect(row).to_contain_text("02 Evening.mp3")
    expect(row).to_contain_text("tags written to the file")
    expect(row.locator(".progress")).to_have_attribute("aria-valuenow", "100")
    page.screenshot(path=screenshots / "processing.png", full_page=True)
    assert list(page.errors) == []

    row.get_by_role("link").click()  # the tagged file's track page
    page.wait_for_url("**/web/tracks/*")
    assert page.locator("h1").inner_text() == "Evening"
    assert page.locator("svg[data-chart] rect.bar").count() > 0


def test_the_track_page_shows_the_files_tags_and_its_raw_scores(page, ui_server, screenshots):
    track = ui_server.track_id(ui_server.files["first"])
    page.goto(ui_server.url(f"/web/tracks/{track}"))
    settle(page)
    assert page.locator("h1").inner_text() == "Morning"
    assert page.locator('[data-field="artist"]').inner_text() == "Test Artist"
    version = page.locator('[data-field="tagged_version"]')
    words = version.inner_text()
    assert words.startswith("Analysed on ") and "with the current model set" in words
    assert words.endswith("not calibrated")
    assert version.get_attribute("title").endswith(";cal=none")  # the raw tag on hover
    # The tags as written in the file: at least the version tag.
    assert page.locator("[data-tags] tr[data-tag]").count() >= 1
    assert page.locator('[data-tags] tr[data-tag$="version"]').count() == 1
    happy = page.locator('svg[data-chart="mood_happy"] rect.bar')
    assert [happy.nth(i).get_attribute("data-label") for i in range(happy.count())] == [
        "happy",
        "non_happy",
    ]
    assert page.locator('svg[data-chart="genre_discogs400"] rect.bar').count() == 12
    means = page.locator('table[data-scores="mood_happy"] tbody td:nth-child(2)').all_inner_texts()
    assert all(re.fullmatch(r"\d\.\d{3}", mean) for mean in means)
    page.screenshot(path=screenshots / "track.png", full_page=True)
    assert list(page.errors) == []


def test_the_track_page_re_tags_with_force_and_shows_progress(page, ui_server):
    track = ui_server.track_id(ui_server.files["first"])
    page.goto(ui_server.url(f"/web/tracks/{track}"))
    settle(page)
    page.click('[data-action="retag"]')
    page.wait_for_selector('[data-retag-status][data-status="done"]', timeout=JOB_TIMEOUT_MS)
    expect(page.locator("[data-reload]")).to_be_visible()
    expect(page.locator('[data-action="retag"]')).to_be_enabled()
    assert list(page.errors) == []


def test_an_unknown_track_answers_404(page, ui_server):
    response = page.goto(ui_server.url("/web/tracks/999999"))
    assert response.status == 404


def wait_for_text(page, selector: str, pattern: str, timeout: int = 15_000) -> None:
    """Wait until the element's text matches the regular expression `pattern`."""
    page.wait_for_function(
        "([selector, pattern]) => {"
        " const node = document.querySelector(selector);"
        " return Boolean(node) && new RegExp(pattern).test(node.textContent.trim()); }",
        arg=[selector, pattern],
        timeout=timeout,
    )


def test_the_dashboard_shows_queue_counts_live_workers_library_and_ready_models(
    page, ui_server, screenshots
):
    page.goto(ui_server.url("/web/dashboard"))
    settle(page)
    for key in ("pending", "running", "completed", "errors"):
        wait_for_text(page, f'[data-count="{key}"]', r"^\d[\d,]*$")
    depth = ui_server.api("GET", "/api/web/queue/queue-depth")
    shown = {
        key: int(page.locator(f'[data-count="{key}"]').inner_text().replace(",", ""))
        for key in depth
    }
    assert shown == depth
    assert depth["completed"] >= 2  # the fixture's scan and tag job

    wait_for_text(page, "[data-models-status]", "^ready$")
    assert "done" in page.get_attribute("[data-models-status]", "class")
    assert not page.locator("[data-models-hint]").is_visible()
    heads = page.locator("[data-models-heads]")
    assert heads.inner_text().split()[0] == "8"  # the generated suite's heads
    assert "mood_happy" in heads.get_attribute("title")
    wait_for_text(page, "[data-worker-state]", "^(running|paused)$")
    wait_for_text(page, '[data-stat="total_files"]', "^2$")
    wait_for_text(page, '[data-stat="total_duration_seconds"]', r"^\d+ s$")  # two 4 s files

    # The counts follow the event stream: a finished scan raises "completed" without a reload.
    page.wait_for_selector('[data-live][data-mode="live"]')
    scan = ui_server.api("POST", f"/api/web/libraries/{ui_server.library_id}/scan", {})
    assert ui_server.wait_for_job(scan["job_id"])["status"] == "done"
    completed = ui_server.api("GET", "/api/web/queue/queue-depth")["completed"]
    wait_for_text(page, '[data-count="completed"]', f"^{completed:,}$", timeout=10_000)
    page.screenshot(path=screenshots / "dashboard.png", full_page=True)
    assert list(page.errors) == []

    page.locator("#content a", has_text="Open the queue").click()
    page.wait_for_url("**/web/queue")


def test_the_dashboard_falls_back_to_polling_when_the_event_stream_is_refused(page, ui_server):
    page.route("**/api/web/events/status**", lambda route: route.abort())
    page.goto(ui_server.url("/web/dashboard"))
    settle(page)
    wait_for_text(page, '[data-count="completed"]', r"^\d[\d,]*$")
    assert page.get_attribute("[data-live]", "data-mode") == "polling"
    scan = ui_server.api("POST", f"/api/web/libraries/{ui_server.library_id}/scan", {})
    assert ui_server.wait_for_job(scan["job_id"])["status"] == "done"
    completed = ui_server.api("GET", "/api/web/queue/queue-depth")["completed"]
    wait_for_text(page, '[data-count="completed"]', f"^{completed:,}$", timeout=12_000)


def test_the_libraries_page_lists_the_tracks_and_a_row_opens_the_track_page(
    page, ui_server, screenshots
):
    page.goto(ui_server.url("/web/libraries"))
    settle(page)
    rows = page.locator("[data-track-rows] tr[data-track-id]")
    rows.first.wait_for()
    assert rows.count() == 2
    assert page.locator("[data-tracks-library]").input_value() == str(ui_server.library_id)
    assert page.locator("[data-tracks-info]").inner_text() == "1–2 of 2"
    morning = page.locator("[data-track-rows] tr", has_text="Morning")
    cells = morning.locator("td").all_inner_texts()
    assert cells[:5] == ["Morning", "Test Artist", "First Album", "flac", "0:04"]
    assert cells[5] not in ("", "not tagged")  # the fixture tagged it
    assert cells[6] == ""  # no read error
    evening = page.locator("[data-track-rows] tr", has_text="Evening")
    assert evening.locator("td").nth(3).inner_text() == "mp3"
    # Each library says how many files it knows, how many are tagged and its last scan.
    library = page.locator(f'[data-rows] tr[data-library-id="{ui_server.library_id}"]')
    listed = ui_server.api("GET", f"/api/web/libraries/{ui_server.library_id}/tracks")
    tagged = sum(1 for t in listed["results"] if t["tagged_version"])  # other tests tag too
    assert library.locator('td[data-label="Files"]').inner_text() == f"2 files, {tagged} tagged"
    assert library.locator('td[data-label="Scan"]').inner_text().startswith("scanned ")
    page.screenshot(path=screenshots / "libraries.png", full_page=True)

    page.fill("[data-tracks-search]", "evening")
    page.wait_for_function(
        "() => document.querySelectorAll('[data-track-rows] tr[data-track-id]').length === 1"
    )
    assert "Evening" in rows.first.inner_text()
    page.fill("[data-tracks-search]", "no such song")
    page.press("[data-tracks-search]", "Enter")
    page.locator("[data-track-rows]", has_text='No tracks match "no such song"').wait_for()
    page.fill("[data-tracks-search]", "")
    page.press("[data-tracks-search]", "Enter")
    rows.nth(1).wait_for()

    track = ui_server.track_id(ui_server.files["first"])
    morning.get_by_role("link", name="Morning").click()
    page.wait_for_url(f"**/web/tracks/{track}")
    assert page.locator("h1").inner_text() == "Morning"
    assert list(page.errors) == []

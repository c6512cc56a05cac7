"""The series pages in headless Chromium against the real server (with workers) and the
loopback TMDB: the list with its missing-episode badge after a rescan, the add dialog, and a
series page that creates the NFO and shows the poster. Screenshots land in docs/screenshots/."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.server import base_env, free_port, launch, stop, wait_until_healthy
from tests.support.tmdb import V3_KEY
from tests.ui.conftest import ADMIN_PASSWORD, ConsoleErrors, UiServer, log_in

pytestmark = pytest.mark.ui

TITAN = "Attack on Titan (2013) [tmdbid-1429]"


@pytest.fixture
def series_server(chromium, tmp_path, tmdb_server) -> Iterator[UiServer]:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    root = tmp_path / "series"
    (root / TITAN / "Season 01").mkdir(parents=True)
    (root / TITAN / "Season 01" / "Attack on Titan - S01E01.mkv").write_bytes(b"v")
    env = base_env(data_dir, ADMIN_PASSWORD)
    env.update({"NOMARR_TMDB_API_URL": tmdb_server.api_url, "NOMARR_WORKERS": "1"})
    port = free_port()
    log = tmp_path / "serve.log"
    command = [sys.executable, "-m", "nomarr_site.cli", "serve", "--host", "127.0.0.1"]
    process = launch([*command, "--port", str(port)], env, log)
    try:
        server = UiServer(f"http://127.0.0.1:{port}", root=root)
        wait_until_healthy(process, server.base_url, log)
        login = {"password": ADMIN_PASSWORD}
        server.token = server.api("POST", "/api/web/auth/login", login)["session_token"]
        server.api("PUT", "/api/config", {"other": {"tmdb_api_key": V3_KEY}})
        server.api("POST", "/api/config/directory", {"directory": str(root)})
        yield server
    finally:
        stop(process)


def wait_for_missing(server: UiServer, count: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        listed = server.api("GET", "/api/anime")
        if listed and sum(len(v) for v in listed[0]["missing_episodes"].values()) == count:
            return
        time.sleep(0.3)
    raise AssertionError("the series scan did not finish")


def test_the_series_pages_list_add_and_write_metadata(browser, series_server, screenshots: Path):
    wait_for_missing(series_server, 3)  # 1-2, 1-3 and 2-1 have aired without a file
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors = ConsoleErrors()
    errors.watch(page)
    page.set_default_timeout(15_000)
    try:
        log_in(page, series_server, "/web/series")
        row = page.locator("[data-rows] tr", has_text="Attack on Titan")
        expect(row.locator(".badge")).to_have_text("3 missing")
        expect(page.locator("[data-info]")).to_have_text(re.compile(r"^1–(\d+) of \1$"))
        expect(page.locator("[data-prev]")).to_be_disabled()
        page.screenshot(path=screenshots / "series.png", full_page=True)

        page.click("[data-open-add]")
        page.fill("#add-query", "quiet")
        page.click("[data-add-search] button[type=submit]")
        result = page.locator("[data-add-results] li", has_text="Quiet Show")
        result.locator("button").click()
        expect(page.locator("[data-notice]")).to_contain_text("Successfully added series")
        expect(page.locator("[data-rows]")).to_contain_text("Quiet Show")
        assert (series_server.root / "Quiet Show").is_dir()

        page.click("text=Attack on Titan")
        page.wait_for_url("**/web/series/*")
        expect(page.locator("[data-seasons]")).to_contain_text("Season 1 (2 missing)")
        page.click("[data-action=create]")
        expect(page.locator("[data-notice]")).to_contain_text("NFO and media files created")
        expect(page.locator("[data-poster]")).to_be_visible()
        expect(page.locator('[data-media="nfo"]')).to_have_text("present")
        page.screenshot(path=screenshots / "series-page.png", full_page=True)
        assert list(errors) == []
    finally:
        context.close()

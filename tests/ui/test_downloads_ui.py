"""The downloads page in headless Chromium against the real server (with workers) and the
loopback download source: a stopped queue shows its waiting items as paused, the up/down
buttons and drag and drop reorder them, Start downloads them with a live progress bar, a
failed one is retried, and the page fits a phone's width. Screenshots land in
docs/screenshots/."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.server import base_env, free_port, launch, stop, wait_until_healthy
from tests.ui.conftest import ADMIN_PASSWORD, ConsoleErrors, UiServer, log_in

pytestmark = pytest.mark.ui

SHOW = "Frieren (2023)"
MIB = 1024 * 1024


@pytest.fixture
def downloads_server(chromium, tmp_path) -> Iterator[UiServer]:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    root = tmp_path / "series"
    (root / SHOW).mkdir(parents=True)
    env = base_env(data_dir, ADMIN_PASSWORD)
    env.update({"NOMARR_WORKERS": "2"})
    port = free_port()
    log = tmp_path / "serve.log"
    command = [sys.executable, "-m", "nomarr_site.cli", "serve", "--host", "127.0.0.1"]
    process = launch([*command, "--port", str(port)], env, log)
    try:
        server = UiServer(f"http://127.0.0.1:{port}", root=root)
        wait_until_healthy(process, server.base_url, log)
        login = {"password": ADMIN_PASSWORD}
        server.token = server.api("POST", "/api/web/auth/login", login)["session_token"]
        server.api("POST", "/api/config/directory", {"directory": str(root)})
        yield server
    finally:
        stop(process)


def pending_ids(server: UiServer) -> list[str]:
    status = server.api("GET", "/api/queue/status")["status"]
    return [item["id"] for item in status["pending_queue"]]


def wait_for(condition, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_the_downloads_page_reorders_starts_shows_progress_and_retries(
    browser, downloads_server, download_server, screenshots: Path
):
    server = downloads_server
    payload = bytes(range(256)) * (12 * MIB // 256)
    slow = download_server.add("/frieren/e1.mkv", payload)
    slow.stalls.extend([(2 * MIB, 1.5), (6 * MIB, 1.5)])
    download_server.add("/frieren/e2.mkv", b"x" * 4096)
    server.api("POST", "/api/queue/stop")
    url = download_server.url
    episodes = [
        {"season": 1, "episode": 1, "title": "Journey", "source_url": url("/frieren/e1.mkv")},
        {"season": 1, "episode": 2, "source_url": url("/frieren/e2.mkv")},
        {"season": 1, "episode": 3, "source_url": url("/frieren/e3.mkv")},
    ]
    added = server.api("POST", "/api/queue/add", {"serie_id": "frieren", "episodes": episodes})
    first, second, third = added["item_ids"]

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = ConsoleErrors()
    errors.watch(page)
    page.set_default_timeout(15_000)
    try:
        log_in(page, server, "/web/downloads")
        pending = page.locator('[data-list="pending"] li')
        expect(pending).to_have_count(3)
        expect(page.locator("[data-state]")).to_have_text("stopped")
        expect(pending.first.locator("[data-status]")).to_have_text("paused")

        # Keyboard-friendly buttons: the first goes down one place.
        pending.first.locator('[data-action="down"]').click()
        wait_for(lambda: pending_ids(server) == [second, first, third], "the down button")
        expect(pending.first).to_have_attribute("data-id", second)

        # Drag and drop: the last one is dropped on the first.
        page.locator(f'[data-list="pending"] li[data-id="{third}"]').drag_to(
            page.locator(f'[data-list="pending"] li[data-id="{second}"]')
        )
        wait_for(lambda: pending_ids(server) == [third, second, first], "the drop")
        expect(pending.first).to_have_attribute("data-id", third)
        page.screenshot(path=screenshots / "downloads-stopped.png", full_page=True)

        page.click("[data-start]")
        expect(page.locator("[data-state]")).to_have_text("running")
        bar = page.locator(f'[data-list="active"] li[data-id="{first}"] [data-bar]')
        expect(bar).to_be_visible(timeout=30_000)
        wait_for(lambda: float(bar.get_attribute("aria-valuenow") or 0) > 0, "live progress", 30)
        page.screenshot(path=screenshots / "downloads.png", full_page=True)

        completed = page.locator('[data-list="completed"] li')
        expect(completed).to_have_count(2, timeout=60_000)
        failed = page.locator('[data-list="failed"] li')
        expect(failed).to_have_count(1)
        expect(failed.first).to_contain_text("404")
        assert (server.root / SHOW / "Frieren - S01E01 - Journey.mkv").stat().st_size == len(
            payload
        )

        download_server.add("/frieren/e3.mkv", b"y" * 4096)
        failed.first.locator('[data-action="retry"]').click()
        expect(completed).to_have_count(3, timeout=60_000)
        expect(page.locator('[data-empty="failed"]')).to_be_visible()

        page.set_viewport_size({"width": 390, "height": 844})
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 392, f"the page is {width}px wide at phone width"
        page.screenshot(path=screenshots / "downloads-phone.png", full_page=True)
        assert list(errors) == []
    finally:
        context.close()

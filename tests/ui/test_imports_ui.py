"""The imports page in headless Chromium against the real server (with a worker) and the
loopback SABnzbd: files added through AltMount's API appear with their outcome without a
reload (imported, handed over, failed with its reason), and the page fits a phone."""

from __future__ import annotations

import json
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.library.imports.conftest import NZB
from tests.support.nzb_clients import SAB_KEY
from tests.support.server import base_env, free_port, launch, stop, wait_until_healthy
from tests.ui.conftest import ADMIN_PASSWORD, ConsoleErrors, UiServer, log_in
from tests.ui.test_field_errors import sideways

pytestmark = pytest.mark.ui


@dataclass
class ImportUi(UiServer):
    key: str = ""  # a full API key, for AltMount's endpoint


@pytest.fixture
def import_server(chromium, tmp_path, sabnzbd_server) -> Iterator[ImportUi]:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    incoming, music = tmp_path / "incoming", tmp_path / "music"
    incoming.mkdir()
    music.mkdir()
    env = base_env(data_dir, ADMIN_PASSWORD)
    env["NOMARR_WORKERS"] = "1"
    port = free_port()
    log = tmp_path / "serve.log"
    command = [sys.executable, "-m", "nomarr_site.cli", "serve", "--host", "127.0.0.1"]
    process = launch([*command, "--port", str(port)], env, log)
    try:
        server = ImportUi(f"http://127.0.0.1:{port}", root=incoming)
        wait_until_healthy(process, server.base_url, log)
        login = {"password": ADMIN_PASSWORD}
        server.token = server.api("POST", "/api/web/auth/login", login)["session_token"]
        imports = {
            "roots": [str(incoming)],
            "nzb_client": "sabnzbd",
            "sabnzbd_url": sabnzbd_server.url,
            "sabnzbd_api_key": SAB_KEY,
        }
        server.api("PUT", "/api/config", {"imports": imports})
        server.api("POST", "/api/web/libraries", {"name": "Music", "root_path": str(music)})
        created = server.api("POST", "/api/api-keys", {"name": "arr", "scope": "full"})
        server.key = created["api_key"]["key"]
        yield server
    finally:
        stop(process)


def import_file(server: ImportUi, path: Path) -> int:
    request = urllib.request.Request(
        server.url(f"/api/import/file?apikey={server.key}"),
        data=json.dumps({"file_path": str(path)}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=15) as response:
        return json.loads(response.read())["data"]["queue_id"]


def test_the_imports_page_shows_each_outcome_live_and_fits_a_phone(
    browser, import_server, screenshots: Path
):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors = ConsoleErrors()
    errors.watch(page)
    page.set_default_timeout(20_000)
    try:
        log_in(page, import_server, "/web/imports")
        expect(page.locator("[data-rows]")).to_contain_text("Nothing imported yet.")
        incoming = import_server.root
        song = incoming / "Artist" / "01 Song.mp3"
        song.parent.mkdir()
        song.write_bytes(b"audio")
        (incoming / "Some.Release.nzb").write_bytes(NZB)
        clash = incoming / "again" / "01 Song.mp3"
        clash.parent.mkdir()
        clash.write_bytes(b"another")

        first = import_file(import_server, song)
        row = page.locator(f'[data-item="{first}"]')
        expect(row).to_have_attribute("data-status", "imported")  # no reload: events/polling
        expect(row).to_contain_text("Imported into Music")
        nzb = import_file(import_server, incoming / "Some.Release.nzb")
        expect(page.locator(f'[data-item="{nzb}"]')).to_have_attribute("data-status", "handed_over")
        expect(page.locator(f'[data-item="{nzb}"]')).to_contain_text("SABnzbd_nzo_")
        failed = import_file(import_server, clash)
        expect(page.locator(f'[data-item="{failed}"]')).to_have_attribute("data-status", "failed")
        expect(page.locator(f'[data-item="{failed}"]')).to_contain_text("already exists")
        page.screenshot(path=screenshots / "imports.png", full_page=True)

        page.select_option("[data-status]", "failed")
        expect(page.locator("[data-rows] tr")).to_have_count(1)
        expect(page.locator("[data-info]")).to_have_text("1–1 of 1")  # the shared pager
        expect(page.locator("[data-next]")).to_be_disabled()

        # The settings page has the import settings; the downloader's key is never shown.
        page.goto(import_server.url("/web/settings"))
        expect(page.locator("legend", has_text="Imports")).to_be_visible()
        key_input = page.locator("#cfg-imports-sabnzbd_api_key")
        expect(key_input).to_have_attribute("type", "password")
        expect(key_input).to_have_value("")
        expect(page.locator("#cfg-imports-roots")).to_have_value(str(incoming))
        assert SAB_KEY not in page.content()

        page.goto(import_server.url("/web/imports"))
        page.set_viewport_size({"width": 375, "height": 740})
        page.reload()
        expect(page.locator(f'[data-item="{first}"]')).to_be_visible()
        assert sideways(page) == []
        assert list(errors) == []
    finally:
        context.close()

"""Fixtures for the UI tests: the real `nom serve` (daphne + workers) on a loopback port with a
private data dir, a generated music library and model suite, and Debian's headless Chromium
driven by Playwright. The server and its process group are always stopped at teardown."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.audio import make_audio
from tests.support.graphs import write_standard_suite
from tests.support.server import REPO, base_env, free_port, launch, stop, wait_until_healthy

SCREENSHOTS = REPO / "docs" / "screenshots"
ADMIN_PASSWORD = "Correct-Horse-9"
JOB_TIMEOUT = 90
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    candidate = os.environ.get("NOMARR_CHROMIUM") or "/usr/bin/chromium"
    if os.access(candidate, os.X_OK):
        return candidate
    return shutil.which("chromium")


@dataclass
class UiServer:
    base_url: str
    token: str = ""
    library_id: int = 0
    root: Path = Path()
    files: dict[str, Path] = field(default_factory=dict)
    log: Path = Path()

    def url(self, path: str) -> str:
        return self.base_url + path

    def api(self, method: str, path: str, body: dict | None = None) -> dict | list:
        request = urllib.request.Request(
            self.url(path),
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"},
            method=method,
        )
        with urllib.request.urlopen(request, timeout=15) as response:
            return json.loads(response.read())

    def wait_for_job(self, job_id: int) -> dict:
        deadline = time.monotonic() + JOB_TIMEOUT
        while time.monotonic() < deadline:
            job = self.api("GET", f"/api/web/queue/status/{job_id}")
            if job["status"] in ("done", "error", "cancelled"):
                return job
            time.sleep(0.3)
        raise AssertionError(f"job {job_id} did not finish in {JOB_TIMEOUT} s")

    def track_id(self, path: Path) -> int:
        page = self.api("GET", f"/api/web/libraries/{self.library_id}/tracks?limit=100")
        return next(t["id"] for t in page["results"] if t["path"] == str(path))


@pytest.fixture(scope="session")
def chromium() -> str:
    path = chromium_path()
    if path is None:
        pytest.skip(
            "Debian's chromium is not installed: run scripts/ensure-chromium "
            "(the UI tests never download a browser)"
        )
    return path


@pytest.fixture(scope="session")
def ui_server(chromium, tmp_path_factory) -> Iterator[UiServer]:
    """`nom serve` with two workers, a library of two generated tracks (scanned) and the
    generated model suite (auto-tagging off); the first track is tagged before the tests
    start, the second is left for the processing page to queue."""
    base = tmp_path_factory.mktemp("ui")
    data_dir = base / "data"
    data_dir.mkdir()
    models = write_standard_suite(base / "models")
    root = base / "music"
    files = {
        "first": make_audio(
            root / "Test Artist" / "First Album" / "01 Morning.flac",
            seconds=4,
            frequency=330,
            tags={"title": "Morning", "artist": "Test Artist", "album": "First Album"},
        ),
        "second": make_audio(
            root / "Test Artist" / "First Album" / "02 Evening.mp3",
            seconds=4,
            frequency=520,
            tags={"title": "Evening", "artist": "Test Artist", "album": "First Album"},
        ),
    }
    env = base_env(data_dir, ADMIN_PASSWORD)
    env.update(
        {
            "NOMARR_MODELS_DIR": str(models),
            "NOMARR_WORKERS": "2",
        }
    )
    port = free_port()
    log = base / "serve.log"
    command = [sys.executable, "-m", "nomarr_site.cli", "serve", "--host", "127.0.0.1"]
    process = launch([*command, "--port", str(port)], env, log)
    try:
        server = UiServer(f"http://127.0.0.1:{port}", root=root, files=files)
        wait_until_healthy(process, server.base_url, log)
        login = {"password": ADMIN_PASSWORD}
        server.token = server.api("POST", "/api/web/auth/login", login)["session_token"]
        # Only what a test queues gets tagged, so the processing page has an untagged file.
        server.api("POST", "/api/web/config", {"key": "library_auto_tag", "value": False})
        library = server.api(
            "POST", "/api/web/libraries", {"name": "Music", "root_path": str(root)}
        )
        server.library_id = library["id"]
        scan = server.api("POST", f"/api/web/libraries/{server.library_id}/scan", {})
        assert server.wait_for_job(scan["job_id"])["status"] == "done", log.read_text()[-4000:]
        queued = server.api(
            "POST", "/api/web/processing/process-files", {"paths": [str(files["first"])]}
        )
        tagged = server.wait_for_job(queued["job_ids"][0])
        assert tagged["status"] == "done", tagged
        yield server
    finally:
        stop(process)


@pytest.fixture(scope="session")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # launch() gives every run a fresh temporary user-data-dir of its own.
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


class ConsoleErrors(list):
    """Console errors and uncaught exceptions of a page, collected as they happen."""

    def watch(self, page) -> None:
        page.on("console", lambda msg: msg.type == "error" and self.append(msg.text))
        page.on("pageerror", lambda exc: self.append(f"uncaught: {exc}"))


def log_in(page, server: UiServer, next_path: str = "/web/dashboard") -> None:
    page.goto(server.url(next_path))
    page.wait_for_url("**/web/login**")
    page.fill("#password", ADMIN_PASSWORD)
    page.click("form[data-testid=login-form] button[type=submit]")
    page.wait_for_url(f"**{next_path}")


@pytest.fixture(scope="session")
def admin_context(browser, ui_server):
    """A browser context holding the admin's session, logged in through the login page."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    log_in(page, ui_server)
    page.close()
    yield context
    context.close()


@pytest.fixture
def page(admin_context):
    """A fresh tab of the admin's session; `page.errors` collects its console errors."""
    page = admin_context.new_page()
    page.errors = ConsoleErrors()
    page.errors.watch(page)
    page.set_default_timeout(15_000)
    yield page
    page.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    """Where the tests save their screenshots: the README's docs/screenshots/ when
    NOMARR_UPDATE_SCREENSHOTS=1 (refreshing them on purpose), else a temporary folder, so an
    ordinary test run never changes tracked files."""
    if os.environ.get("NOMARR_UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS
    return tmp_path_factory.mktemp("screenshots")

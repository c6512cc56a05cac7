"""A new owner's first hour in headless Chromium, on a server of its own with no models: the
dashboard's Get started list says what is left, the models are fetched from the dashboard
(from a local fake of Essentia's models site) with a bar for all files and one for the current
file, a library is added and a track tagged, and every step is ticked off."""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from library.tagging.model_sets import MODEL_SETS
from tests.support.audio import make_audio
from tests.support.graphs import EFFNET, write_backbone, write_head, write_standard_suite
from tests.support.server import base_env, free_port, launch, stop, wait_until_healthy
from tests.ui.conftest import ADMIN_PASSWORD, ConsoleErrors, UiServer
from tests.ui.test_browser import settle
from tests.ui.test_field_errors import sideways

pytestmark = pytest.mark.ui


def default_set(folder: Path) -> Path:
    """Every file of the `default` set, generated with the published names and layout."""
    write_standard_suite(folder)
    write_backbone(folder, EFFNET, seed=1)
    for index, item in enumerate(MODEL_SETS["default"]):
        if not (folder / item.path).exists() and item.path.endswith(".pb"):
            task = item.path.split("/")[1]
            classes = None if task.endswith("_regression") else [task, f"non_{task}"]
            write_head(folder, task, EFFNET, classes, seed=40 + index)
    return folder


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def models_site(tmp_path_factory) -> Iterator[str]:
    served = default_set(tmp_path_factory.mktemp("essentia-models"))
    handler = functools.partial(QuietHandler, directory=str(served))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def fresh_server(chromium, tmp_path_factory, models_site) -> Iterator[UiServer]:
    base = tmp_path_factory.mktemp("first-hour")
    root = base / "music"
    song = make_audio(root / "Artist" / "01 First.flac", seconds=4, frequency=440)
    env = base_env(base / "data", ADMIN_PASSWORD)
    env.update(
        {
            "NOMARR_MODELS_DIR": str(base / "models"),
            "NOMARR_MODELS_URL": models_site,
            "NOMARR_WORKERS": "2",
        }
    )
    (base / "models").mkdir()
    port = free_port()
    log = base / "serve.log"
    command = [sys.executable, "-m", "nomarr_site.cli", "serve", "--host", "127.0.0.1"]
    process = launch([*command, "--port", str(port)], env, log)
    try:
        server = UiServer(f"http://127.0.0.1:{port}", root=root, files={"first": song}, log=log)
        wait_until_healthy(process, server.base_url, log)
        login = {"password": ADMIN_PASSWORD}
        server.token = server.api("POST", "/api/web/auth/login", login)["session_token"]
        yield server
    finally:
        stop(process)


def where_it_stood(server: UiServer) -> str:
    """The queue, the workers and the end of the server's log, for a failure message."""
    parts = []
    for path in ("/api/web/queue/list", "/api/web/worker/status"):
        try:
            parts.append(f"{path}: {server.api('GET', path)}")
        except Exception as exc:  # noqa: BLE001 - a failure report must not fail itself
            parts.append(f"{path}: {exc!r}")
    log = server.log
    tail = log.read_text(errors="replace")[-4000:] if log.is_file() else "(no log)"
    return "\n".join([*parts, "--- serve.log (end) ---", tail])


def steps(page) -> dict[str, str]:
    items = page.locator("[data-steps] li")
    return {
        items.nth(i).get_attribute("data-step"): items.nth(i).get_attribute("data-done")
        for i in range(items.count())
    }


def test_fetch_models_tag_a_track_and_see_every_step_ticked(browser, fresh_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = ConsoleErrors()
    errors.watch(page)
    try:
        page.goto(fresh_server.url("/web/login"))
        page.fill("input[name=password]", ADMIN_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/web/dashboard")
        settle(page)
        assert steps(page) == {
            "library": "false", "models": "false", "tagged": "false", "api_key": "false",
        }  # fmt: skip
        assert page.locator("[data-steps-done]").inner_text() == "0 of 4 done"

        page.select_option("#model-set", "default")
        page.click("[data-models-fetch] button[type=submit]")
        progress = page.locator("[data-fetch-progress]")
        # The bar shows once a worker runs the fetch job; in a full scale-out CI run that once
        # took longer than Playwright's default 30 s (alone it takes a second or two).
        try:
            progress.wait_for(state="visible", timeout=90_000)
        except PlaywrightTimeoutError:
            pytest.fail("no fetch progress in 90 s\n" + where_it_stood(fresh_server))
        page.wait_for_function(
            "() => document.querySelector('[data-fetch-all] span').style.width === '100%'",
            timeout=60_000,
        )
        page.locator("[data-fetch-file-name]", has_text="File ").wait_for()
        page.locator("[data-models-status]", has_text="ready").wait_for(timeout=20_000)
        assert sideways(page) == []

        library = fresh_server.api(
            "POST", "/api/web/libraries", {"name": "Music", "root_path": str(fresh_server.root)}
        )
        fresh_server.library_id = library["id"]
        queued = fresh_server.api(
            "POST", "/api/web/processing/process-files", {"paths": [str(fresh_server.root)]}
        )
        assert queued["queued"] == 1
        fresh_server.api("POST", "/api/api-keys", {"name": "Lidarr", "scope": "tag"})
        tracks = f"/api/web/libraries/{fresh_server.library_id}/tracks"
        for _ in range(120):
            listed = fresh_server.api("GET", tracks)["results"]
            if listed and listed[0]["tagged_version"]:
                break
            page.wait_for_timeout(500)
        page.reload()
        settle(page)
        assert set(steps(page).values()) == {"true"}
        assert page.locator("[data-steps-done]").inner_text() == "4 of 4 done"
        page.set_viewport_size({"width": 375, "height": 900})
        assert sideways(page) == []
        assert list(errors) == []
    finally:
        context.close()

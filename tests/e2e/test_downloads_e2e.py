"""The download queue through the real `nom serve` (daphne and its workers) and the loopback
download source: every `/api/queue` answer against the Aniworld reference's shapes and status
codes, a download that lands in the series folder, and the stop that survives a restart."""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator

import pytest

from tests.e2e.conftest import Server
from tests.support.server import base_env, free_port, launch, stop, wait_until_healthy

pytestmark = pytest.mark.e2e

SHOW = "Frieren (2023)"
ITEM_FIELDS = {
    "id", "serie_id", "serie_folder", "serie_name", "episode", "status", "priority",
    "added_at", "started_at", "completed_at", "progress", "error", "retry_count", "source_url",
}  # fmt: skip


def start(tmp_path, port: int) -> tuple[Server, object]:
    env = base_env(tmp_path / "data")
    env["NOMARR_WORKERS"] = "1"
    log = tmp_path / f"serve-{port}.log"
    command = [sys.executable, "-m", "nomarr_site.cli", "serve", "--host", "127.0.0.1"]
    process = launch([*command, "--port", str(port)], env, log)
    base_url = f"http://127.0.0.1:{port}"
    wait_until_healthy(process, base_url, log)
    return Server(base_url, port, env, log), process


@pytest.fixture
def queue_server(tmp_path) -> Iterator[tuple[Server, object]]:
    (tmp_path / "data").mkdir()
    (tmp_path / "series" / SHOW).mkdir(parents=True)
    server, process = start(tmp_path, free_port())
    try:
        yield server, process
    finally:
        stop(process)


def call(server: Server, method: str, path: str, body=None, token: str = ""):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(server.url(path), data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def wait_for(check, what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def test_the_download_queue_answers_as_the_reference_through_the_real_server(
    queue_server, download_server, tmp_path
):
    server, process = queue_server
    token = server.login()
    root = tmp_path / "series"
    status, _ = call(server, "POST", "/api/config/directory", {"directory": str(root)}, token)
    assert status == 200
    assert call(server, "GET", "/api/queue/status")[0] == 401

    download_server.add("/e1.mkv", b"v" * 300_000)
    url = download_server.url
    episodes = [
        {"season": 1, "episode": 1, "title": "Journey", "source_url": url("/e1.mkv")},
        {"season": 1, "episode": 2, "source_url": url("/gone.mkv")},
        {"season": 1, "episode": 3},
    ]
    body = {"serie_id": "frieren", "serie_folder": SHOW, "serie_name": "Frieren"}
    body.update({"episodes": episodes, "priority": "NORMAL"})
    status, added = call(server, "POST", "/api/queue/add", body, token)
    assert status == 201
    assert set(added) == {"status", "message", "added_items", "item_ids", "failed_items"}
    assert added["message"] == "Added 2 episode(s) to download queue"
    assert added["failed_items"][0]["episode"] == 3  # no source for it
    good, bad = added["item_ids"]

    def finished():
        state = call(server, "GET", "/api/queue/status", token=token)[1]
        done = state["status"]["completed_downloads"] and state["status"]["failed_downloads"]
        return state if done else None

    state = wait_for(finished, "both downloads to end")
    assert set(state) == {"status", "statistics"}
    [completed] = state["status"]["completed_downloads"]
    [failed] = state["status"]["failed_downloads"]
    assert set(completed) == ITEM_FIELDS and completed["id"] == good
    assert completed["status"] == "completed" and failed["status"] == "failed"
    assert (root / SHOW / "Frieren - S01E01 - Journey.mkv").stat().st_size == 300_000
    assert state["statistics"]["completed_count"] == 1 and state["statistics"]["failed_count"] == 1

    assert call(server, "POST", "/api/queue/stop", token=token)[1]["message"] == (
        "Queue processing stopped (current download will continue)"
    )
    status, body = call(server, "POST", "/api/queue/retry", {"item_ids": []}, token)
    assert (status, body["retried_ids"], body["message"]) == (
        200,
        [bad],
        "Retrying 1 failed item(s)",
    )
    status, body = call(server, "POST", "/api/queue/reorder", {"item_ids": [bad]}, token)
    assert (status, body["message"]) == (200, "Queue reordered with 1 items")
    status, body = call(server, "POST", "/api/queue/reorder", {"item_ids": []}, token)
    assert (status, body["error"]) == (422, "VALIDATION_ERROR")
    pending = call(server, "GET", "/api/queue/status", token=token)[1]["status"]["pending_queue"]
    assert [(item["id"], item["status"], item["retry_count"]) for item in pending] == [
        (bad, "paused", 1)
    ]
    status, body = call(server, "DELETE", "/api/queue/completed", token=token)
    assert (status, body["message"]) == (200, "Cleared 1 completed item(s)")
    status, body = call(server, "DELETE", f"/api/queue/{uuid.uuid4()}", token=token)
    assert (status, body["error"]) == (404, "NOT_FOUND_ERROR")
    status, body = call(server, "DELETE", "/api/queue", {"item_ids": ["nope"]}, token)
    assert (status, body["error"]) == (422, "VALIDATION_ERROR")
    assert call(server, "DELETE", "/api/queue", {"item_ids": [bad]}, token) == (204, None)

    # The stop is kept in the database: a restarted server still has the queue stopped.
    stop(process)
    restarted, process2 = start(tmp_path, free_port())
    try:
        token = restarted.login()
        state = call(restarted, "GET", "/api/queue/status", token=token)[1]["status"]
        assert (state["is_running"], state["is_paused"]) == (False, True)
        assert call(restarted, "POST", "/api/queue/start", token=token)[1] == {
            "status": "success",
            "message": "Queue processing started",
        }
    finally:
        stop(process2)

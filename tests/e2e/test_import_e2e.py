"""AltMount's import API through the real `nom serve` (daphne and a worker): import folders
and SABnzbd set over HTTP, then `POST /api/import/file?apikey=` answered with the reference's
shapes (200, and 400, 401, 403, 404, 409, 413 as `{"error": {"message", "details"}}`), the
worker importing an audio file and handing an NZB to the loopback SABnzbd, and the history
showing both outcomes."""

from __future__ import annotations

import http.client
import json
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import Server
from tests.library.imports.conftest import NZB
from tests.support.nzb_clients import SAB_KEY
from tests.support.server import base_env, free_port, launch, stop, wait_until_healthy

pytestmark = pytest.mark.e2e

JOB_TIMEOUT = 60


@pytest.fixture
def import_server(tmp_path) -> Iterator[Server]:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    env = base_env(data_dir)
    env["NOMARR_WORKERS"] = "1"
    port = free_port()
    log = tmp_path / "serve.log"
    command = [sys.executable, "-m", "nomarr_site.cli", "serve"]
    process = launch([*command, "--host", "127.0.0.1", "--port", str(port)], env, log)
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_until_healthy(process, base_url, log)
        yield Server(base_url, port, env, log)
    finally:
        stop(process)


def call(server: Server, method: str, path: str, body=None, token: str = "", raw=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(server.url(path), data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def altmount_error(answer: tuple[int, dict], status: int) -> str:
    code, body = answer
    assert code == status, body
    assert list(body) == ["error"] and set(body["error"]) == {"message", "details"}
    assert isinstance(body["error"]["details"], str)
    return body["error"]["message"]


def wait_for(server: Server, token: str, queue_id: int, status: str) -> dict:
    deadline = time.monotonic() + JOB_TIMEOUT
    while time.monotonic() < deadline:
        _, page = call(server, "GET", "/api/web/imports?limit=50", token=token)
        item = next(row for row in page["results"] if row["id"] == queue_id)
        if item["status"] == status:
            return item
        assert item["status"] in ("pending", "running"), item
        time.sleep(0.3)
    raise AssertionError(f"import {queue_id} did not become {status}:\n{server.log.read_text()}")


def oversized_post(server: Server, path: str) -> tuple[int, dict]:
    """A POST declaring a 300 MB body; the server answers before reading it."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
    connection.putrequest("POST", path)
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", str(300 * 1024 * 1024))
    connection.endheaders()
    response = connection.getresponse()
    answer = response.status, json.loads(response.read())
    connection.close()
    return answer


def test_altmounts_import_api_works_end_to_end(import_server, tmp_path, sabnzbd_server):
    server = import_server
    incoming, music = tmp_path / "incoming", tmp_path / "music"
    (incoming / "Artist" / "Album").mkdir(parents=True)
    music.mkdir()
    song = incoming / "Artist" / "Album" / "01 Song.mp3"
    song.write_bytes(b"not really audio, but an importable name")
    nzb = incoming / "Some.Release.nzb"
    nzb.write_bytes(NZB)
    token = server.login()
    _, created = call(server, "POST", "/api/api-keys", {"name": "arr", "scope": "full"}, token)
    key = created["api_key"]["key"]
    url = f"/api/import/file?apikey={key}"

    message = altmount_error(call(server, "POST", url, {"file_path": str(song)}), 400)
    assert "imports.roots" in message
    settings = {
        "imports": {
            "roots": [str(incoming)],
            "nzb_client": "sabnzbd",
            "sabnzbd_url": sabnzbd_server.url,
            "sabnzbd_api_key": SAB_KEY,
            "sabnzbd_category": "tv",
        }
    }
    status, document = call(server, "PUT", "/api/config", settings, token)
    assert status == 200 and document["imports"]["sabnzbd_api_key_set"] is True
    assert SAB_KEY not in json.dumps(document)
    library = {"name": "Music", "root_path": str(music)}
    assert call(server, "POST", "/api/web/libraries", library, token)[0] == 201

    # The authentication layer answers in AltMount's shape on this route.
    path_only = "/api/import/file"
    assert altmount_error(call(server, "POST", path_only, {"file_path": str(song)}), 401) == (
        "Authentication required"
    )
    wrong = f"{path_only}?apikey=wrong-key-123456"
    assert altmount_error(call(server, "POST", wrong, {"file_path": str(song)}), 401) == (
        "Invalid API key"
    )
    altmount_error(oversized_post(server, url), 413)

    # Paused workers keep the first request pending, so the second one meets it.
    assert call(server, "POST", "/api/web/worker/pause", {}, token)[0] == 200
    request = {"file_path": str(song), "relative_path": str(incoming)}
    status, body = call(server, "POST", url, request)
    assert status == 200, body
    song_id = body["data"]["queue_id"]
    again = altmount_error(call(server, "POST", url, {"file_path": str(song)}), 409)
    assert "already in the import queue" in again
    assert body == {
        "data": {
            "queue_id": song_id,
            "message": f"File successfully added to import queue with ID {song_id}",
        },
        "meta": None,
    }
    status, body = call(server, "POST", url, {"file_path": str(nzb)})
    assert status == 200, body
    nzb_id = body["data"]["queue_id"]

    directory = altmount_error(call(server, "POST", url, {"file_path": str(incoming)}), 400)
    assert "must be a regular file (not a directory)" in directory
    missing = {"file_path": str(incoming / "gone.mp3")}
    assert "File does not exist" in altmount_error(call(server, "POST", url, missing), 404)
    outside = {"file_path": str(tmp_path / "data" / "db.sqlite3")}
    altmount_error(call(server, "POST", url, outside), 403)
    altmount_error(call(server, "POST", url, raw=b"{not json"), 400)
    assert call(server, "POST", "/api/web/worker/resume", {}, token)[0] == 200

    imported = wait_for(server, token, song_id, "imported")
    destination = music / "Artist" / "Album" / "01 Song.mp3"
    assert imported["destination"] == str(destination) and destination.exists()
    handed = wait_for(server, token, nzb_id, "handed_over")
    assert handed["downloader_id"].startswith("SABnzbd_nzo_")
    [received] = sabnzbd_server.received
    assert received["query"]["apikey"] == SAB_KEY and received["query"]["cat"] == "tv"
    assert received["files"]["name"] == ("Some.Release.nzb", NZB)
    assert not Path(nzb).exists()
    # The file is no longer pending, so the same path may be queued again (and now 404s).
    assert "File does not exist" in altmount_error(
        call(server, "POST", url, {"file_path": str(song)}), 404
    )

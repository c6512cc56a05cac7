"""The series and NFO APIs through the real `nom serve`, against the loopback TMDB: the
directory and key set over HTTP, then search, add, list, one series, NFO create/check/content
and the reference's error shapes (422, 404, 409, 503)."""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from tests.e2e.conftest import Server
from tests.support.server import base_env, free_port, launch, stop, wait_until_healthy
from tests.support.tmdb import V3_KEY

pytestmark = pytest.mark.e2e


@pytest.fixture
def series_server(tmp_path, tmdb_server) -> Iterator[Server]:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    env = base_env(data_dir)
    env["NOMARR_TMDB_API_URL"] = tmdb_server.api_url
    port = free_port()
    log = tmp_path / "serve.log"
    command = [sys.executable, "-m", "nomarr_site.cli", "serve", "--no-workers"]
    process = launch([*command, "--host", "127.0.0.1", "--port", str(port)], env, log)
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_until_healthy(process, base_url, log)
        yield Server(base_url, port, env, log)
    finally:
        stop(process)


def call(server: Server, method: str, path: str, body=None, token: str = "") -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(server.url(path), data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_series_library_works_end_to_end(series_server, tmp_path):
    root = tmp_path / "series"
    (root / "Quiet").mkdir(parents=True)
    token = series_server.login()

    status, body = call(series_server, "GET", "/api/anime/search?query=titan")
    assert status == 503 and body["error"] == "SERVICE_UNAVAILABLE"
    assert (
        call(series_server, "PUT", "/api/config", {"other": {"tmdb_api_key": V3_KEY}}, token)[0]
        == 200
    )
    status, body = call(
        series_server, "POST", "/api/config/directory", {"directory": str(root)}, token
    )
    assert (status, body) == (
        200,
        {"message": "Anime directory updated successfully", "synced_series": 1},
    )

    status, found = call(series_server, "GET", "/api/anime/search?query=titan")
    assert status == 200 and found[0]["link"] == "https://www.themoviedb.org/tv/1429"
    status, body = call(series_server, "GET", "/api/anime/search?query=" + "x" * 201)
    assert status == 422 and body["error"] == "VALIDATION_ERROR"

    add = {"link": found[0]["link"], "name": found[0]["folder"]}
    status, added = call(series_server, "POST", "/api/anime/add", add, token)
    assert status == 200, added
    assert added["missing_episodes"] == ["1-1", "1-2", "1-3", "2-1"]
    assert (root / "Attack on Titan (2013)").is_dir()
    assert call(series_server, "POST", "/api/anime/add", add, token)[0] == 409

    status, listed = call(series_server, "GET", "/api/anime", token=token)
    assert status == 200 and [s["key"] for s in listed] == ["attack-on-titan"]
    assert call(series_server, "GET", "/api/anime?page=0", token=token)[0] == 422
    status, one = call(series_server, "GET", "/api/anime/attack-on-titan")
    assert status == 200 and one["title"] == "Attack on Titan"
    status, body = call(series_server, "GET", "/api/anime/nothing")
    assert status == 404 and body["error"] == "NOT_FOUND_ERROR"

    status, created = call(series_server, "POST", "/api/nfo/attack-on-titan/create", {}, token)
    assert status == 200 and created["media_files"]["has_poster"] is True
    status, check = call(series_server, "GET", "/api/nfo/attack-on-titan/check", token=token)
    assert status == 200 and check["has_nfo"] is True
    status, content = call(series_server, "GET", "/api/nfo/attack-on-titan/content", token=token)
    assert status == 200 and "<title>Attack on Titan</title>" in content["content"]
    assert call(series_server, "PUT", "/api/nfo/quiet/update", token=token)[0] == 404
    status, batch = call(
        series_server, "POST", "/api/nfo/batch/create", {"serie_ids": ["attack-on-titan"]}, token
    )
    assert (status, batch["skipped"], batch["failed"]) == (200, 1, 0)

"""The real `nom serve` (daphne) ignores a client's `Daphne-Root-Path` header: the header that
let a stranger mint an API key or read the settings routes nothing anywhere any more."""

from __future__ import annotations

import http.client
import json

import pytest
from websockets.sync.client import connect as ws_connect

pytestmark = pytest.mark.e2e


def call(server, method: str, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        body = json.dumps({"name": "stranger"}) if method == "POST" else None
        connection.request(
            method, path, body=body, headers={"Content-Type": "application/json", **headers}
        )
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_a_forged_root_path_header_changes_nothing_on_the_real_server(server):
    minted = call(
        server, "POST", "/api/web/auth/api/api-keys", {"Daphne-Root-Path": "/api/web/auth"}
    )
    assert minted[0] == 404
    assert call(server, "GET", "/health/api/web/config", {"Daphne-Root-Path": "/health"})[0] == 404
    assert call(server, "GET", "/api/web/config", {"Daphne-Root-Path": "/health"})[0] == 401

    token = server.login()
    auth = {"Authorization": f"Bearer {token}"}
    status, listing = call(server, "GET", "/api/api-keys", auth)
    assert (status, json.loads(listing)["count"]) == (200, 0)  # no key was minted
    with ws_connect(
        f"ws://127.0.0.1:{server.port}/ws/connect?token={token}",
        additional_headers={"Daphne-Root-Path": "/health"},
        open_timeout=10,
    ) as socket:
        assert json.loads(socket.recv(timeout=10))["type"] == "connected"

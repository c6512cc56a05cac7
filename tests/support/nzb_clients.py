"""SABnzbd and NZBGet on 127.0.0.1 for tests: the endpoints Nomarr calls (SABnzbd's
`POST /api?mode=addfile` with a multipart `name` file; NZBGet's JSON-RPC `POST /jsonrpc`
method `append` behind HTTP basic auth), answering with the real APIs' shapes and failures.

Tests steer a fake with `fail`: "key" (SABnzbd's 403 "API Key Incorrect" / NZBGet's 401),
"status_false" (SABnzbd `{"status": false, "error": ...}`), "500", "timeout" (the answer comes
after `delay` seconds), "zero" (NZBGet's NZBID 0), "malformed" (a body that is not JSON).
`received` records every request: its query, headers and the NZB bytes that arrived.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

SAB_KEY = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
NZBGET_USER = "nzbget"
NZBGET_PASSWORD = "tegbzn6789"


@dataclass
class FakeDownloader:
    url: str = ""
    fail: str = ""
    delay: float = 3.0
    received: list[dict[str, Any]] = field(default_factory=list)
    next_id: int = 1


def _multipart_files(content_type: str, body: bytes) -> dict[str, tuple[str, bytes]]:
    """The files of a multipart/form-data body: field name → (file name, bytes)."""
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    files = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_filename()
        if name and filename is not None:
            files[str(name)] = (filename, part.get_payload(decode=True) or b"")
    return files


class _Handler(BaseHTTPRequestHandler):
    fake: FakeDownloader

    def log_message(self, *args: Any) -> None:
        return

    def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout)
            pass

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _common_failure(self) -> bool:
        if self.fake.fail == "timeout":
            time.sleep(self.fake.delay)
        if self.fake.fail == "500":
            self._send(500, b"<html><body>Internal Server Error</body></html>", "text/html")
            return True
        if self.fake.fail == "malformed":
            self._send(200, b"<html>this is not the API</html>", "text/html")
            return True
        return False


class _SabHandler(_Handler):
    def do_POST(self) -> None:  # noqa: N802 - the standard library's name
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        files = _multipart_files(self.headers.get("Content-Type", ""), self._body())
        self.fake.received.append({"path": parts.path, "query": query, "files": files})
        if self._common_failure():
            return
        if parts.path != "/api":
            return self._send(404, b"Not found", "text/plain")
        if self.fake.fail == "key" or query.get("apikey") != SAB_KEY:
            body = {"status": False, "error": "API Key Incorrect"}
            return self._send(403, json.dumps(body).encode())
        if query.get("mode") != "addfile" or "name" not in files:
            return self._send(200, json.dumps({"status": False, "error": "No file"}).encode())
        if self.fake.fail == "status_false":
            body = {"status": False, "error": "Failed to add NZB: not a valid NZB"}
            return self._send(200, json.dumps(body).encode())
        nzo = f"SABnzbd_nzo_{self.fake.next_id:08x}"
        self.fake.next_id += 1
        self._send(200, json.dumps({"status": True, "nzo_ids": [nzo]}).encode())


class _NzbgetHandler(_Handler):
    def do_POST(self) -> None:  # noqa: N802 - the standard library's name
        parts = urlsplit(self.path)
        raw = self._body()
        auth = self.headers.get("Authorization", "")
        try:
            request = json.loads(raw)
        except ValueError:
            request = None
        self.fake.received.append({"path": parts.path, "auth": auth, "request": request})
        if self._common_failure():
            return
        expected = base64.b64encode(f"{NZBGET_USER}:{NZBGET_PASSWORD}".encode()).decode()
        if self.fake.fail == "key" or auth != f"Basic {expected}":
            return self._send(401, b"<html>Unauthorized</html>", "text/html")
        if parts.path != "/jsonrpc" or not isinstance(request, dict):
            return self._send(404, b"Not found", "text/plain")
        answer: dict[str, Any] = {"version": "1.1", "id": request.get("id")}
        params = request.get("params")
        if request.get("method") != "append" or not isinstance(params, list) or len(params) != 10:
            answer["error"] = {"name": "JSONRPCError", "code": 1, "message": "Invalid parameter"}
        elif self.fake.fail == "zero":
            answer["result"] = 0
        else:
            answer["result"] = self.fake.next_id
            self.fake.next_id += 1
        self._send(200, json.dumps(answer).encode())


def nzb_content(received: dict[str, Any]) -> bytes:
    """The NZB bytes an NZBGet `append` call carried (its second parameter, base64)."""
    return base64.b64decode(received["request"]["params"][1])


def _serve(handler: type[_Handler]):
    fake = FakeDownloader()
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Handler", (handler,), {"fake": fake}))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return fake, server


@pytest.fixture
def sabnzbd_server():
    """A fresh fake SABnzbd on a free loopback port."""
    fake, server = _serve(_SabHandler)
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def nzbget_server():
    """A fresh fake NZBGet on a free loopback port."""
    fake, server = _serve(_NzbgetHandler)
    yield fake
    server.shutdown()
    server.server_close()

"""A download source on 127.0.0.1 for tests: a threaded `http.server` serving registered byte
blobs the way file hosts and CDNs do (ETag, Last-Modified, Accept-Ranges, Range and If-Range,
206 with Content-Range, 416 with `bytes */size`), with switches for the failures a real
download meets.

Fixture `download_server` gives a fresh `DownloadServer` per test:

    blob = download_server.add("/ep1.mkv", data)            # serve bytes at a path
    url = download_server.url("/ep1.mkv")
    blob.cuts.append(1000)      # the next body answer hangs up after 1000 bytes
    blob.statuses += [503, 503] # the next two requests get 503, then the file
    blob.retry_after = "120"    # the Retry-After of 429 and 503 answers ("1" unless set)
    blob.delay = 2.0            # every answer waits 2 s before its headers (timeouts)
    blob.stalls.append((500, 2.0))  # the next body answer pauses 2 s after 500 bytes
    download_server.replace("/ep1.mkv", other)  # new content: new ETag and Last-Modified
    blob.ignore_range = True    # answer every Range with the whole file (200)
    blob.honour_if_range = False  # serve the range even when If-Range no longer matches
    blob.checksum_header = "Digest"  # or "Repr-Digest", "X-Checksum-Sha256"
    blob.checksum_of = b"other"      # announce the checksum of other bytes (a wrong one)
    blob.etag = None; blob.last_modified = None  # a server without validators
    blob.chunked = True         # no Content-Length: the size is unknown until the end
    blob.misplaced_range = True # a buggy server: a 206 that starts at byte 0 whatever was asked
    blob.max_range = 50_000     # a CDN that answers each range with at most 50 000 bytes
    blob.headers["Content-Encoding"] = "gzip"  # extra headers on the file's answers
    download_server.redirect("/old", "/ep1.mkv")  # 302 (Location may be any URL, file:// too)

Fixture `download_server_tls` is the same over https with a self-signed certificate (no client
trusts it). HEAD answers carry the headers a GET would get. `download_server.requests` records every
request (method, path, headers) in order;
`download_server.ranges("/ep1.mkv")` lists the Range headers sent for a path ("" for none).
"""

from __future__ import annotations

import base64
import contextlib
import email.utils
import hashlib
import re
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.support.tls import self_signed_context

_RANGE = re.compile(r"bytes=(\d+)-(\d*)$")
_CHUNK = 8192


@dataclass
class Blob:
    data: bytes
    etag: str | None = None
    last_modified: str | None = None
    content_type: str = "video/x-matroska"
    statuses: list[int] = field(default_factory=list)
    cuts: list[int] = field(default_factory=list)
    stalls: list[tuple[int, float]] = field(default_factory=list)
    delay: float = 0.0
    ignore_range: bool = False
    honour_if_range: bool = True
    checksum_header: str | None = None
    checksum_of: bytes | None = None
    chunked: bool = False
    misplaced_range: bool = False
    max_range: int | None = None  # a CDN that answers a range with at most this many bytes
    retry_after: str = "1"  # sent with 429 and 503 answers
    headers: dict[str, str] = field(default_factory=dict)
    version: int = 0

    def refresh_validators(self) -> None:
        self.version += 1
        digest = hashlib.sha256(self.data).hexdigest()[:16]
        self.etag = f'"{digest}-{self.version}"'
        when = time.time() - 86400 + self.version * 60  # each version a minute younger
        self.last_modified = email.utils.formatdate(when, usegmt=True)


@dataclass
class DownloadServer:
    url_base: str = ""
    blobs: dict[str, Blob] = field(default_factory=dict)
    redirects: dict[str, tuple[int, str]] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.url_base + path

    def add(self, path: str, data: bytes, **options: Any) -> Blob:
        blob = Blob(data)
        blob.refresh_validators()
        for name, value in options.items():
            setattr(blob, name, value)
        self.blobs[path] = blob
        return blob

    def replace(self, path: str, data: bytes) -> Blob:
        """New content at `path`, as when the file on the host is replaced: new validators."""
        blob = self.blobs[path]
        blob.data = data
        blob.refresh_validators()
        return blob

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        self.redirects[path] = (status, location)

    def ranges(self, path: str) -> list[str]:
        return [r["headers"].get("Range", "") for r in self.requests if r["path"] == path]


class _Handler(BaseHTTPRequestHandler):
    server_state: DownloadServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:  # keep test output quiet
        return

    def do_HEAD(self) -> None:  # noqa: N802 - the standard library's name
        """The headers a GET would get (size, validators, checksum), without the body."""
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        path = urlsplit(self.path).path
        state = self.server_state
        state.requests.append({"method": self.command, "path": path, "headers": dict(self.headers)})
        self.close_connection = True  # one request per connection keeps cuts simple
        if path in state.redirects:
            status, location = state.redirects[path]
            return self._head(status, {"Location": location, "Content-Length": "0"})
        blob = state.blobs.get(path)
        if blob is None:
            return self._error(404, "Not Found")
        if blob.delay:
            time.sleep(blob.delay)
        if blob.statuses:
            status = blob.statuses.pop(0)
            headers = {"Retry-After": blob.retry_after} if status in (429, 503) else {}
            return self._error(status, self.responses.get(status, ("Error",))[0], headers)
        start, end = self._range(blob)
        if start is not None and start >= len(blob.data):
            headers = {"Content-Range": f"bytes */{len(blob.data)}"}
            return self._error(416, "Range Not Satisfiable", headers)
        self._body(blob, start, end)

    def _range(self, blob: Blob) -> tuple[int | None, int | None]:
        """The byte range to serve, or (None, None) for the whole file."""
        match = _RANGE.match(self.headers.get("Range", ""))
        if match is None or blob.ignore_range:
            return None, None
        if_range = self.headers.get("If-Range")
        if if_range and blob.honour_if_range and if_range not in (blob.etag, blob.last_modified):
            return None, None  # the file changed: RFC 9110 says send all of it
        end = int(match.group(2)) if match.group(2) else len(blob.data) - 1
        start = 0 if blob.misplaced_range else int(match.group(1))
        if blob.max_range is not None:
            end = min(end, start + blob.max_range - 1)
        return start, min(end, len(blob.data) - 1)

    def _body(self, blob: Blob, start: int | None, end: int | None) -> None:
        payload = blob.data if start is None else blob.data[start : (end or 0) + 1]
        headers = {"Content-Type": blob.content_type, "Accept-Ranges": "bytes", **blob.headers}
        for name, value in (("ETag", blob.etag), ("Last-Modified", blob.last_modified)):
            if value:
                headers[name] = value
        if blob.checksum_header:
            headers[blob.checksum_header] = _checksum(blob)
        if start is not None:
            headers["Content-Range"] = f"bytes {start}-{end}/{len(blob.data)}"
        if blob.chunked:
            headers["Transfer-Encoding"] = "chunked"
        else:
            headers["Content-Length"] = str(len(payload))
        self._head(206 if start is not None else 200, headers)
        if self.command != "HEAD":
            cut = blob.cuts.pop(0) if blob.cuts else None
            stall = blob.stalls.pop(0) if blob.stalls else None
            self._send_payload(payload, blob.chunked, cut, stall)

    def _send_payload(
        self, payload: bytes, chunked: bool, cut: int | None, stall: tuple[int, float] | None
    ) -> None:
        sent = 0
        try:
            while sent < len(payload):
                size = _CHUNK
                for limit in (cut, stall[0] if stall else None):
                    if limit is not None and sent < limit:
                        size = min(size, limit - sent)
                piece = payload[sent : sent + size]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
                sent += len(piece)
                if stall and sent == stall[0]:
                    self.wfile.flush()
                    time.sleep(stall[1])
                    stall = None
                if cut is not None and sent >= cut:
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)  # hang up mid-body
                    return
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
            pass

    def _error(self, status: int, reason: str, headers: dict[str, str] | None = None) -> None:
        body = f"<html><body><h1>{status} {reason}</h1></body></html>".encode()
        self._head(status, {"Content-Type": "text/html", **(headers or {}),
                            "Content-Length": str(len(body))})  # fmt: skip
        if self.command != "HEAD":
            self.wfile.write(body)

    def _head(self, status: int, headers: dict[str, str]) -> None:
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Connection", "close")
            self.end_headers()
        except (BrokenPipeError, ConnectionResetError):
            pass


def _checksum(blob: Blob) -> str:
    raw = hashlib.sha256(blob.checksum_of if blob.checksum_of is not None else blob.data).digest()
    if blob.checksum_header == "Repr-Digest":
        return f"sha-256=:{base64.b64encode(raw).decode()}:"
    if blob.checksum_header == "Digest":
        return f"SHA-256={base64.b64encode(raw).decode()}"
    return raw.hex()


@contextlib.contextmanager
def serving(tls: ssl.SSLContext | None = None) -> Iterator[DownloadServer]:
    """A download source on a free loopback port (https when `tls` is given) while inside."""
    state = DownloadServer()
    handler = type("Handler", (_Handler,), {"server_state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    scheme = "https" if tls is not None else "http"
    state.url_base = f"{scheme}://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def download_server():
    """A fresh download source on a free loopback port for one test (see the module
    docstring for its switches)."""
    with serving() as state:
        yield state


@pytest.fixture
def download_server_tls(tmp_path_factory):
    """The same source over https, with a self-signed certificate no client trusts."""
    with serving(self_signed_context(tmp_path_factory.mktemp("tls"))) as state:
        yield state

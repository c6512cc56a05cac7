"""A local server of Essentia model files for the fetch tests: a real head graph and its
metadata, served with HTTP ranges, and able to hang up part-way through a response."""

from __future__ import annotations

import re
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from library.tagging.model_sets import ModelDownload


class Server(ThreadingHTTPServer):
    files: dict[str, bytes]
    cut_after: int | None = None  # send only this many bytes of a full response, then hang up
    ranges: list[str]
    requested: list[str]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.requested.append(self.path.lstrip("/"))
        body = self.server.files.get(self.path.lstrip("/"))
        if body is None:
            self.send_error(404)
            return
        requested = self.headers.get("Range")
        self.server.ranges.append(requested or "")
        start = int(re.match(r"bytes=(\d+)-", requested).group(1)) if requested else 0
        if start >= len(body):
            self.send_error(416)
            return
        self.send_response(206 if requested else 200)
        self.send_header("Content-Length", str(len(body) - start))
        self.end_headers()
        payload = body[start:]
        if self.server.cut_after is not None:
            payload = payload[: self.server.cut_after]
            self.server.cut_after = None
        self.wfile.write(payload)


def url(server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


PB, JSON = ModelDownload("fe/net.pb"), ModelDownload("fe/net.json")

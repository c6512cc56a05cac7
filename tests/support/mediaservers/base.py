"""A small threaded HTTP server on 127.0.0.1 for playing a media server in tests: routes by
method and path pattern, a record of every request, and failure switches (an error status, a
slow answer, a malformed body) that the next matching requests meet."""

from __future__ import annotations

import json
import re
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    """One request as the fake server saw it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


@dataclass
class Reply:
    """What a route answers: a status, a body (JSON-able, str or bytes) and headers."""

    status: int = 200
    body: Any = None
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


def text(status: int, message: str) -> Reply:
    return Reply(status, message, "text/plain; charset=utf-8")


@dataclass
class Fault:
    """A failure the next `times` requests matching `method` and `path` (a regex) meet."""

    kind: str  # "status", "slow" or "malformed"
    path: str = ""
    method: str = ""
    times: int = 1
    status: int = 500
    seconds: float = 0.0
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def matches(self, request: Request) -> bool:
        if self.method and self.method != request.method:
            return False
        return re.search(self.path, request.path) is not None


Handler = Callable[..., Reply]


class FakeServer:
    """Subclasses register routes in `setup_routes` and decide who is authorised in
    `authorize` (a Reply refuses the request, None lets it through)."""

    def __init__(self) -> None:
        self.routes: list[tuple[str, re.Pattern[str], Handler, bool]] = []
        self.faults: list[Fault] = []
        self.requests: list[Request] = []
        self.lock = threading.RLock()
        self.release = threading.Event()
        self.httpd: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None
        self.scheme = "http"
        self.setup_routes()

    # Routes and authorisation (overridden).
    def setup_routes(self) -> None:
        raise NotImplementedError

    def authorize(self, request: Request) -> Reply | None:
        raise NotImplementedError

    def add(self, method: str, pattern: str, handler: Handler, *, public: bool = False) -> None:
        self.routes.append((method, re.compile(f"^{pattern}$"), handler, public))

    # Failure switches.
    def fail(
        self, status: int, path: str = "", method: str = "", times: int = 1, body: Any = None
    ) -> None:
        self.faults.append(Fault("status", path, method, times, status=status, body=body))

    def redirect(self, location: str, path: str = "", method: str = "", times: int = 1) -> None:
        headers = {"Location": location}
        self.faults.append(Fault("status", path, method, times, status=301, headers=headers))

    def slow(self, seconds: float, path: str = "", method: str = "", times: int = 1) -> None:
        self.faults.append(Fault("slow", path, method, times, seconds=seconds))

    def malformed(self, path: str = "", method: str = "", times: int = 1) -> None:
        self.faults.append(Fault("malformed", path, method, times))

    def count(self, method: str, path: str) -> int:
        """How many requests matched `method` and the regex `path` so far."""
        return sum(1 for r in self.requests if r.method == method and re.search(path, r.path))

    # Serving.
    @property
    def url(self) -> str:
        assert self.httpd is not None
        host, port = self.httpd.server_address[:2]
        return f"{self.scheme}://{host!s}:{port}"

    def start(self, tls: ssl.SSLContext | None = None) -> FakeServer:
        """Serve on a free loopback port (over TLS with `tls`, a server-side context)."""
        self.httpd = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = "https"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release.set()  # frees any request held by a `slow` fault
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
        if self.thread is not None:
            self.thread.join(timeout=5)

    def handle(self, request: Request) -> Reply:
        with self.lock:
            self.requests.append(request)
            fault = self._take_fault(request)
        if fault is not None:
            if fault.kind == "status":
                return Reply(fault.status, fault.body, headers=dict(fault.headers))
            if fault.kind == "slow":
                self.release.wait(fault.seconds)
            if fault.kind == "malformed":
                return Reply(200, b"<html>not what you expected", "application/json")
        return self._route(request)

    def _take_fault(self, request: Request) -> Fault | None:
        for fault in self.faults:
            if fault.times > 0 and fault.matches(request):
                fault.times -= 1
                return fault
        return None

    def _route(self, request: Request) -> Reply:
        allowed = []
        for method, pattern, handler, public in self.routes:
            match = pattern.match(request.path)
            if match is None:
                continue
            if method != request.method:
                allowed.append(method)
                continue
            if not public:
                refusal = self.authorize(request)
                if refusal is not None:
                    return refusal
            with self.lock:
                return handler(request, **match.groupdict())
        return Reply(405 if allowed else 404, None)


class _QuietServer(ThreadingHTTPServer):
    """A client that gave up (a timeout test) leaves a broken pipe: not worth a traceback."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignored: the test that caused it asserts on what the client saw."""


def _handler_for(fake: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            request = Request(
                method=self.command,
                path=parts.path,
                query={key: values[-1] for key, values in parse_qs(parts.query).items()},
                headers={name.lower(): value for name, value in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
            )
            reply = fake.handle(request)
            payload = reply.encoded()
            self.send_response(reply.status)
            if payload:
                self.send_header("Content-Type", reply.content_type)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(payload)
            self.close_connection = True

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            """Quiet: tests read `fake.requests` instead."""

    return Handler

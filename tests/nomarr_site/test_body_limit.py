"""Request bodies over the limit are refused at the ASGI level, before anything buffers them."""

from __future__ import annotations

import asyncio
import json

import pytest

from nomarr_site.bodylimit import BodyLimit
from tests.support.aio import run_scenario

FIELDS = {"success", "error", "message", "detail", "details", "request_id"}
LOGIN = "/api/web/auth/login"
MiB = 1024 * 1024


def scope(path: str, headers: list[tuple[bytes, bytes]]) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }


class Client:
    """Feeds body chunks to an ASGI app and records what it reads and answers."""

    def __init__(self, chunks: list[bytes]):
        self.chunks = chunks
        self.reads = 0
        self.messages: list[dict] = []

    async def receive(self) -> dict:
        if self.reads < len(self.chunks):
            chunk = self.chunks[self.reads]
            self.reads += 1
            return {"type": "http.request", "body": chunk, "more_body": self.reads < len(self)}
        # A client that waits for its answer: Django listens for a disconnect meanwhile.
        await asyncio.Event().wait()
        return {"type": "http.disconnect"}

    def __len__(self) -> int:
        return len(self.chunks)

    async def send(self, message: dict) -> None:
        self.messages.append(message)

    def call(self, app, scope: dict) -> None:
        async def run() -> None:
            await app(scope, self.receive, self.send)

        run_scenario(run, limit=30)

    @property
    def status(self) -> int:
        return next(m["status"] for m in self.messages if m["type"] == "http.response.start")

    def json(self) -> dict:
        body = b"".join(m.get("body", b"") for m in self.messages if m["type"].endswith("body"))
        return json.loads(body)


def application():
    from nomarr_site.asgi import application

    return application


def test_a_declared_300_mb_body_to_the_login_is_refused_without_reading_it():
    client = Client([b"x" * 1024])
    client.call(application(), scope(LOGIN, [(b"content-length", str(300 * MiB).encode())]))
    assert client.status == 413
    assert client.reads == 0
    body = client.json()
    assert set(body) == FIELDS
    assert body["error"] == "PAYLOAD_TOO_LARGE"
    assert body["details"] == {"max_bytes": MiB}


def test_a_chunked_body_is_cut_off_once_it_passes_the_limit():
    chunk = b"[" * (64 * 1024)
    client = Client([chunk] * 4000)  # 250 MiB if it were all read
    client.call(application(), scope(LOGIN, []))
    assert client.status == 413
    assert client.json()["error"] == "PAYLOAD_TOO_LARGE"
    assert client.reads == MiB // len(chunk) + 1
    assert [m["type"] for m in client.messages] == ["http.response.start", "http.response.body"]


@pytest.mark.django_db(transaction=True)
def test_a_body_under_the_limit_reaches_the_view(admin_user):
    body = json.dumps({"password": "wrong"}).encode()
    client = Client([body[:5], body[5:]])
    client.call(application(), scope(LOGIN, [(b"content-length", str(len(body)).encode())]))
    assert client.status == 401


def test_the_limit_comes_from_the_setting_and_a_prefix_may_raise_it(settings):
    settings.MAX_BODY_BYTES = 10
    settings.BODY_LIMIT_OVERRIDES = {"/api/import": 100}

    async def app(scope, receive, send):
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    guard = BodyLimit(app)
    for path, size, status in [
        ("/api/web/auth/login", 11, 413),
        ("/api/web/auth/login", 10, 204),
        ("/api/import/file", 100, 204),
        ("/api/import/file", 101, 413),
    ]:
        client = Client([b"x" * size])
        client.call(guard, scope(path, []))
        assert client.status == status, (path, size)


@pytest.mark.django_db
def test_django_refuses_the_same_size_when_the_asgi_guard_is_not_in_front(key_holder, settings):
    # The WSGI entry point and the test client have no ASGI guard: Django's own limit agrees.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    payload = json.dumps({"name": "key", "padding": "x" * 2000})
    response = key_holder.post("/api/api-keys", payload, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["error"] == "PAYLOAD_TOO_LARGE"


def test_websocket_scopes_pass_through_untouched():
    seen = []

    async def app(scope, receive, send):
        seen.append(scope["type"])

    async def nothing():
        return {}

    async def run():
        await BodyLimit(app, limit=1)({"type": "websocket", "path": "/ws/connect"}, nothing, None)

    run_scenario(run, limit=30)
    assert seen == ["websocket"]


@pytest.fixture
def web_process(tmp_path):
    """The web process (`python -m nomarr_site.web`, as `nom serve` starts it) on a free port."""
    import socket
    import sys
    import time

    from tests.support.server import base_env, free_port, launch, stop

    port = free_port()
    log = tmp_path / "web.log"
    command = [sys.executable, "-m", "nomarr_site.web", "-b", "127.0.0.1", "-p", str(port)]
    process = launch([*command, "nomarr_site.asgi:application"], base_env(tmp_path), log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the web process did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.2)
        yield port
    finally:
        stop(process)


def raw_post(port: int, headers: str, body_chunks) -> tuple[bytes, int]:
    """POST to the login over a raw socket; returns the answer and how many bytes were sent
    before the server closed the connection."""
    import socket

    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=20) as conn:
        conn.sendall(f"POST {LOGIN} HTTP/1.1\r\nHost: localhost\r\n{headers}\r\n".encode())
        try:
            for chunk in body_chunks:
                conn.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass  # the server closed the connection: the rest was never read
        answer = b""
        try:
            while data := conn.recv(65536):
                answer += data
        except OSError:
            pass
    return answer, sent


def test_the_web_process_refuses_a_declared_300_mb_body_before_reading_it(web_process):
    chunks = (b"x" * MiB for _ in range(300))
    headers = f"Content-Type: application/json\r\nContent-Length: {300 * MiB}\r\n"
    answer, sent = raw_post(web_process, headers, chunks)
    assert answer.startswith(b"HTTP/1.1 413")
    assert b'"PAYLOAD_TOO_LARGE"' in answer
    assert sent < 300 * MiB


def test_the_web_process_cuts_off_a_chunked_body_past_the_limit(web_process):
    chunk = b"x" * MiB
    framed = (b"%x\r\n" % len(chunk) + chunk + b"\r\n" for _ in range(300))
    headers = "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
    answer, sent = raw_post(web_process, headers, framed)
    assert answer.startswith(b"HTTP/1.1 413")
    assert sent < 300 * MiB

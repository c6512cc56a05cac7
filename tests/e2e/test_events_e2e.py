"""A WebSocket client and an SSE client connected to the real `nom serve` process receive the
events that a separate worker process emits, within 1 s, in the embedded and scale-out set-ups."""

from __future__ import annotations

import http.client
import json
import threading
import time
from statistics import median

import pytest
from websockets.sync.client import connect as ws_connect

pytestmark = pytest.mark.e2e

EVENTS = 5
LATENCY_BOUND = 1.0  # seconds, from the worker's emit() call to the client's read
WAIT = 30  # upper bound on waiting for the clients; they finish as soon as the events arrive

WORKER = """
import time, django
django.setup()
from nomarr_site.events import emit
for number in range({count}):
    emit("queue", "queue.jobs", {{"id": 9000 + number, "status": "running",
                                 "progress": number / {count}, "sent_at": time.time()}})
    time.sleep(0.2)
"""


class Listener(threading.Thread):
    """Collects (job id, latency) of queue.jobs events; `ready` once it is subscribed."""

    def __init__(self):
        super().__init__(daemon=True)
        self.ready = threading.Event()
        self.latencies: dict[int, float] = {}
        self.error: BaseException | None = None

    def record(self, data: dict) -> None:
        self.latencies[data["id"]] = time.time() - data["sent_at"]

    def run(self) -> None:
        try:
            self.listen()
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.error = exc
        finally:
            self.ready.set()


class WebSocketListener(Listener):
    def __init__(self, server, token: str):
        super().__init__()
        self.url = f"ws://127.0.0.1:{server.port}/ws/connect?token={token}"

    def listen(self) -> None:
        with ws_connect(self.url, open_timeout=10) as socket:
            assert json.loads(socket.recv(timeout=10))["type"] == "connected"
            socket.send(json.dumps({"action": "join", "data": {"room": "queue"}}))
            assert json.loads(socket.recv(timeout=10))["type"] == "room_joined"
            self.ready.set()
            while len(self.latencies) < EVENTS:
                message = json.loads(socket.recv(timeout=WAIT))
                if message["type"] == "queue_jobs":
                    self.record(message["data"])


class SseListener(Listener):
    def __init__(self, server, token: str):
        super().__init__()
        self.port = server.port
        self.token = token

    def listen(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT)
        try:
            connection.request("GET", f"/api/web/events/status?token={self.token}")
            response = connection.getresponse()
            assert response.status == 200
            assert response.getheader("Content-Type").startswith("text/event-stream")
            event = None
            while len(self.latencies) < EVENTS:
                line = response.readline().decode().rstrip("\n")
                if line.startswith("event: "):
                    event = line[len("event: ") :]
                elif line.startswith("data: "):
                    if event == "system:health":  # the last frame of the state on connect
                        self.ready.set()
                    elif event == "queue:jobs":
                        self.record(json.loads(line[len("data: ") :]))
                elif line == "":
                    event = None
        finally:
            connection.close()


def test_a_worker_process_reaches_websocket_and_sse_clients_within_a_second(server):
    token = server.login()
    listeners = [WebSocketListener(server, token), SseListener(server, token)]
    for listener in listeners:
        listener.start()
    for listener in listeners:
        assert listener.ready.wait(WAIT), f"{type(listener).__name__} never subscribed"
        assert listener.error is None, listener.error

    worker = server.python(WORKER.format(count=EVENTS))
    assert worker.returncode == 0, worker.stderr

    for listener in listeners:
        listener.join(WAIT)
        assert listener.error is None, repr(listener.error)
        assert sorted(listener.latencies) == [9000 + n for n in range(EVENTS)]
        worst = max(listener.latencies.values())
        print(
            f"{server.env.get('REDIS_URL') and 'scale-out' or 'embedded'} "
            f"{type(listener).__name__}: p50 {median(listener.latencies.values()) * 1000:.0f} ms, "
            f"max {worst * 1000:.0f} ms"
        )
        assert worst < LATENCY_BOUND, listener.latencies


def test_the_real_server_refuses_unauthenticated_event_streams(server):
    from websockets.exceptions import InvalidStatus

    with pytest.raises(InvalidStatus):
        ws_connect(f"ws://127.0.0.1:{server.port}/ws/connect", open_timeout=10)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("GET", "/api/web/events/status")
        response = connection.getresponse()
        assert response.status == 401
        assert json.loads(response.read())["error"] == "AUTHENTICATION_ERROR"
    finally:
        connection.close()

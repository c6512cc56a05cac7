"""A job run by a real worker cluster reports its progress to a WebSocket client and an SSE
client connected to the real web process, in the embedded and scale-out set-ups: the whole
path from `JobRunner.progress()` in a forked django-q2 worker to the browser."""

from __future__ import annotations

import http.client
import json
import sys
import threading

import pytest
from websockets.sync.client import connect as ws_connect

from tests.e2e.conftest import launch, stop

pytestmark = pytest.mark.e2e

WAIT = 60

ENQUEUE = """
import django
django.setup()
from jobs.services.enqueue import enqueue
print(enqueue("sleep", payload={"seconds": 2}).pk)
"""


class Collector(threading.Thread):
    """Gathers the job updates one client receives until the job is done."""

    def __init__(self):
        super().__init__(daemon=True)
        self.ready = threading.Event()
        self.updates: list[dict] = []
        self.job_id: int | None = None
        self.done = threading.Event()
        self.error: BaseException | None = None

    def record(self, data: dict) -> None:
        self.updates.append(data)
        if self.job_id is not None and data["id"] == self.job_id and data["status"] == "done":
            self.done.set()

    def run(self) -> None:
        try:
            self.listen()
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.error = exc
        finally:
            self.ready.set()
            self.done.set()


class WebSocketCollector(Collector):
    def __init__(self, port: int, token: str):
        super().__init__()
        self.url = f"ws://127.0.0.1:{port}/ws/connect?token={token}"

    def listen(self) -> None:
        with ws_connect(self.url, open_timeout=10) as socket:
            socket.recv(timeout=10)  # connected
            socket.send(json.dumps({"action": "join", "data": {"room": "queue"}}))
            socket.recv(timeout=10)  # room_joined
            self.ready.set()
            while not self.done.is_set():
                message = json.loads(socket.recv(timeout=WAIT))
                if message["type"] == "queue_jobs":
                    self.record(message["data"])


class SseCollector(Collector):
    def __init__(self, port: int, token: str):
        super().__init__()
        self.port, self.token = port, token

    def listen(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT)
        try:
            connection.request("GET", f"/api/web/events/status?token={self.token}")
            response = connection.getresponse()
            event = None
            while not self.done.is_set():
                line = response.readline().decode().rstrip("\n")
                if line.startswith("event: "):
                    event = line[len("event: ") :]
                elif line.startswith("data: ") and event == "system:health":
                    self.ready.set()
                elif line.startswith("data: ") and event == "queue:jobs":
                    self.record(json.loads(line[len("data: ") :]))
        finally:
            connection.close()


def test_a_real_workers_job_progress_reaches_websocket_and_sse_clients(server, tmp_path):
    env = {**server.env, "NOMARR_WORKERS": "1"}
    log = tmp_path / "qcluster.log"
    cluster = launch([sys.executable, "-m", "nomarr_site.cli", "qcluster"], env, log)
    try:
        token = server.login()
        collectors = [WebSocketCollector(server.port, token), SseCollector(server.port, token)]
        for collector in collectors:
            collector.start()
            assert collector.ready.wait(WAIT), f"{type(collector).__name__} never subscribed"
        produced = server.python(ENQUEUE)
        assert produced.returncode == 0, produced.stderr
        job_id = int(produced.stdout.strip().splitlines()[-1])
        for collector in collectors:
            collector.job_id = job_id
            if any(u["id"] == job_id and u["status"] == "done" for u in collector.updates):
                collector.done.set()
        for collector in collectors:
            assert collector.done.wait(WAIT), (type(collector).__name__, log.read_text()[-3000:])
            assert collector.error is None, repr(collector.error)
            mine = [u for u in collector.updates if u["id"] == job_id]
            # The job object the list endpoint returns: progress is nested, as on the page.
            midway = [
                u
                for u in mine
                if u["status"] == "running" and 0 < (u["progress"]["fraction"] or 0) < 1
            ]
            assert midway, (type(collector).__name__, mine)
            assert mine[-1]["status"] == "done"
            assert mine[-1]["started_at"] and mine[-1]["finished_at"]
            assert mine[-1]["attempts"] == 1
    finally:
        stop(cluster)

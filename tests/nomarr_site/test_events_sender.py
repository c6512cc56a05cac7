"""The sender, the outbox and its relay: validation, transactions, failures that must not reach
the caller, pruning, and a relay that neither replays old rows nor loses late-committed ones."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.db import transaction
from django.utils import timezone

from nomarr_site.events import aemit, emit, envelope, outbox, sender, state
from nomarr_site.events import relay as relay_module
from nomarr_site.events.relay import Relay
from nomarr_site.models import OutboxEvent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("room", "event_type", "complaint"),
    [
        ("attic", "queue.jobs", "unknown room"),
        ("queue", "job", "<area>.<event>"),
        ("queue", ".job", "<area>.<event>"),
        ("queue", "system.health", "belong to room 'system'"),
    ],
)
def test_emit_refuses_programming_mistakes(room, event_type, complaint):
    with pytest.raises(ValueError, match=complaint):
        emit(room, event_type, {})
    assert not OutboxEvent.objects.exists()


def test_emit_stores_a_json_envelope_in_the_outbox():
    moment = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    emit("queue", "queue.jobs", {"id": 1, "status": "done", "path": Path("/m/a.mp3"), "at": moment})
    row = OutboxEvent.objects.get()
    assert row.room == "queue"
    assert row.envelope["type"] == "queue.jobs"
    assert row.envelope["timestamp"].endswith("Z")
    assert row.envelope["data"] == {
        "id": 1,
        "status": "done",
        "path": "/m/a.mp3",
        "at": "2025-01-02T03:04:05Z",
    }


def test_an_event_inside_a_rolled_back_transaction_is_never_published():
    with pytest.raises(RuntimeError), transaction.atomic():
        emit("queue", "queue.jobs", {"id": 1, "status": "running"})
        raise RuntimeError("the job failed to start")
    assert not OutboxEvent.objects.exists()


def test_an_event_inside_a_transaction_is_published_on_commit():
    with transaction.atomic():
        emit("queue", "queue.jobs", {"id": 1, "status": "running"})
        assert not OutboxEvent.objects.exists()
    assert OutboxEvent.objects.count() == 1


def test_emit_never_fails_the_caller_when_the_outbox_is_unavailable(monkeypatch, caplog):
    def broken(room, env):
        raise RuntimeError("database is locked")

    sent = []

    class Layer:
        async def group_send(self, group, message):
            sent.append((group, message))

    monkeypatch.setattr(outbox, "write", broken)
    monkeypatch.setattr(sender, "get_channel_layer", lambda: Layer())
    monkeypatch.setattr(sender, "crosses_processes", lambda layer=None: False)
    with caplog.at_level(logging.WARNING):
        emit("system", "system.health", {"status": "healthy", "errors": []})
    assert "Could not store event system.health" in caplog.text
    # Without the outbox, this process's own listeners are still reached.
    assert [group for group, _ in sent] == ["nomarr.system"]
    assert sent[0][1]["id"] is None


def test_emit_never_fails_the_caller_when_the_channel_layer_is_down(monkeypatch, caplog):
    class Layer:
        async def group_send(self, group, message):
            raise ConnectionError("redis is gone")

    monkeypatch.setattr(sender, "get_channel_layer", lambda: Layer())
    monkeypatch.setattr(sender, "crosses_processes", lambda layer=None: True)
    with caplog.at_level(logging.WARNING):
        emit("queue", "queue.status", {"pending": 0, "running": 0})
        assert sender.publisher.flush(timeout=5)
    assert "Could not send event queue.status" in caplog.text
    assert OutboxEvent.objects.count() == 1


class CrossProcessLayer:
    """Stands in for the Redis layer: records each send with its thread and event loop."""

    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.sent: list[tuple[str, dict, int, int]] = []

    async def group_send(self, group, message):
        if self.delay:
            await asyncio.sleep(self.delay)
        loop = asyncio.get_running_loop()
        self.sent.append((group, message, threading.get_ident(), id(loop)))


@pytest.fixture
def cross_process_layer(monkeypatch):
    layer = CrossProcessLayer()
    monkeypatch.setattr(sender, "get_channel_layer", lambda: layer)
    monkeypatch.setattr(sender, "crosses_processes", lambda layer=None: True)
    yield layer
    sender.publisher.flush(timeout=5)


def test_cross_process_events_go_out_in_order_from_one_thread_and_one_loop(cross_process_layer):
    for number in range(20):
        emit("queue", "queue.jobs", {"id": number, "status": "done"})
    assert sender.publisher.flush(timeout=5)
    sent = cross_process_layer.sent
    assert [message["envelope"]["data"]["id"] for _, message, _, _ in sent] == list(range(20))
    # Each carries its outbox id, for SSE clients resuming after Last-Event-ID.
    ids = list(OutboxEvent.objects.order_by("id").values_list("id", flat=True))
    assert [message["id"] for _, message, _, _ in sent] == ids
    # One loop for the process's life keeps the layer's Redis connections open.
    assert len({(thread, loop) for _, _, thread, loop in sent}) == 1
    assert sent[0][2] != threading.get_ident()


def test_emit_does_not_wait_for_a_slow_channel_layer(cross_process_layer):
    cross_process_layer.delay = 0.2
    started = time.monotonic()
    for number in range(5):
        emit("queue", "queue.jobs", {"id": number, "status": "done"})
    assert time.monotonic() - started < 0.5
    assert sender.publisher.flush(timeout=5)
    assert len(cross_process_layer.sent) == 5


def test_a_rolled_back_event_never_reaches_a_cross_process_layer(cross_process_layer):
    with pytest.raises(RuntimeError), transaction.atomic():
        emit("queue", "queue.jobs", {"id": 1, "status": "running"})
        raise RuntimeError("the claim failed")
    with transaction.atomic():
        emit("queue", "queue.jobs", {"id": 2, "status": "running"})
        sender.publisher.flush(timeout=5)
        assert cross_process_layer.sent == []  # not before the commit
    assert sender.publisher.flush(timeout=5)
    assert [message["envelope"]["data"]["id"] for _, message, _, _ in cross_process_layer.sent] == [
        2
    ]


def test_a_full_event_buffer_drops_new_events_instead_of_blocking(monkeypatch, caplog):
    gate = threading.Event()

    class StuckLayer:
        async def group_send(self, group, message):
            await asyncio.get_running_loop().run_in_executor(None, gate.wait, 5)

    publisher = sender.Publisher()
    monkeypatch.setattr(publisher, "BUFFER", 3)
    publisher._reset()
    envelope_ = envelope.make("queue.jobs", {"id": 1, "status": "done"})
    try:
        with caplog.at_level(logging.WARNING):
            started = time.monotonic()
            for _ in range(10):
                publisher.submit(StuckLayer(), "queue", envelope_, None)
            assert time.monotonic() - started < 1
        assert "Event buffer full" in caplog.text
    finally:
        gate.set()
    assert publisher.flush(timeout=5)


def test_emit_from_async_code_is_dropped_with_a_warning_and_aemit_works(caplog):
    async def scenario():
        emit("queue", "queue.jobs", {"id": 1, "status": "done"})
        await aemit("queue", "queue.jobs", {"id": 2, "status": "done"})

    with caplog.at_level(logging.WARNING):
        async_to_sync(scenario)()
    assert "use aemit()" in caplog.text
    assert [row.envelope["data"]["id"] for row in OutboxEvent.objects.all()] == [2]


def test_old_outbox_rows_are_pruned(monkeypatch):
    emit("queue", "queue.jobs", {"id": 1, "status": "done"})
    OutboxEvent.objects.update(created_at=timezone.now() - outbox.RETENTION - timedelta(seconds=1))
    monkeypatch.setattr(outbox, "_last_prune", 0.0)
    emit("queue", "queue.jobs", {"id": 2, "status": "done"})
    assert [row.envelope["data"]["id"] for row in OutboxEvent.objects.all()] == [2]


class RecordingLayer:
    def __init__(self):
        self.sent: list[tuple[str, dict]] = []

    async def group_send(self, group, message):
        self.sent.append((group, message))


def _row(pk: int, room: str = "queue") -> None:
    OutboxEvent.objects.create(
        id=pk, room=room, envelope=envelope.make("queue.jobs", {"id": pk, "status": "done"})
    )


def test_the_relay_starts_after_the_newest_row_and_delivers_only_new_ones(monkeypatch):
    monkeypatch.setattr(relay_module, "crosses_processes", lambda: False)  # as when embedded
    _row(1)
    relay, layer = Relay(), RecordingLayer()

    async def scenario():
        await relay.ensure_started()
        await relay.stop()
        await sync_to_async(_row)(2, room="library")
        return await relay.poll_once(layer)

    assert async_to_sync(scenario)() == 1
    assert [(group, message["id"]) for group, message in layer.sent] == [("nomarr.library", 2)]


def test_the_relay_picks_up_a_row_that_commits_after_a_newer_one():
    relay, layer = Relay(), RecordingLayer()

    async def poll():
        return await relay.poll_once(layer)

    _row(1)
    _row(3)  # id 2 was taken by a transaction that has not committed yet
    async_to_sync(poll)()
    _row(2)
    async_to_sync(poll)()
    _row(4)
    async_to_sync(poll)()
    assert [message["id"] for _, message in layer.sent] == [1, 3, 2, 4]


def test_queue_status_is_zero_while_the_jobs_app_is_missing(monkeypatch):
    def no_module(name):
        raise ImportError(f"No module named {name!r}")

    monkeypatch.setattr(state, "import_module", no_module)
    assert state.queue_status() == {
        "pending": 0,
        "running": 0,
        "completed": 0,
        "errors": 0,
        "avg_time": None,
        "eta": None,
    }


def test_transport_names_follow_the_references():
    worker = envelope.make("worker.status", {"component": "worker:tag:3", "status": "idle"})
    assert envelope.sse_name(worker) == "worker:tag:3:status"
    assert envelope.sse_name(envelope.make("queue.jobs", {})) == "queue:jobs"
    assert envelope.sse_name(envelope.make("library.rescan_needed", {})) == "library:rescan_needed"
    assert envelope.ws_type("queue.status") == "queue_status"
    assert envelope.ws_type("library.rescan_needed") == "library_rescan_needed"
    types = sender.SUPPORTED_MESSAGE_TYPES
    assert len(types) == len(set(types))
    for aniworld in ("queue_status", "queue_started", "scan_progress", "scan_complete"):
        assert aniworld in types
    assert "system_info" in types

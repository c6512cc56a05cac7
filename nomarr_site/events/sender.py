"""The events and the one sender: `QUEUE_JOBS.send(data)` (each event a typed `Event`, so
mypy checks `data` against its `TypedDict`) publishes the event so that every browser connected
to any web process and joined to its room receives it. `emit(room, event_type, data)` is the
untyped step beneath it.

How an event crosses processes:

- Embedded (no REDIS_URL): the in-memory channel layer lives inside one process, so `emit`
  writes the envelope to the outbox table; the web process's relay (`relay.py`) tails that table
  every ~100 ms and fans rows out to its in-memory groups. Events emitted in the web process take
  the same path, so each is delivered exactly once.
- Scale-out (REDIS_URL): the Redis channel layer crosses processes and machines, so `emit` sends
  the envelope to the group directly. It *also* writes the outbox row first and sends its id
  along: that one short insert gives every event an id, so SSE clients get `id:` lines and can
  resume after `Last-Event-ID` in both set-ups, at the price of one small write per event
  (progress events are throttled by their senders, so this stays a few writes per second).
  The send itself is handed to this process's publisher thread (`Publisher`), which keeps one
  event loop and so the layer's Redis connections open; the caller never waits for Redis.

Inside a transaction the event is published when the transaction commits and dropped if it
rolls back: an event never announces a state that other readers cannot see. Events are
notifications, so a failure to publish is logged and never raised to the caller.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import multiprocessing.util
import os
import queue
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar

from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

from nomarr_site.events import outbox
from nomarr_site.events.envelope import (
    ROOMS,
    DownloadAddedData,
    DownloadCompleteData,
    DownloadFailedData,
    DownloadProgressEventData,
    DownloadQueueStateData,
    DownloadQueueStatusData,
    DownloadRemovedData,
    Envelope,
    InvitationEventData,
    JobData,
    MediaServerEventData,
    MediaUserEventData,
    QueueStateData,
    QueueStatusData,
    ScanCompleteData,
    ScanProgressData,
    SeriesScanCompleteData,
    SeriesScanProgressData,
    SystemHealthData,
    WorkerStatusData,
    make,
    ws_type,
)

logger = logging.getLogger(__name__)

MESSAGE_TYPE = "event.message"  # handled by EventsConsumer.event_message


def group_name(room: str) -> str:
    """The channel group of a room (letters, digits and '.', as channel layers require)."""
    return f"nomarr.{room}"


def crosses_processes(layer: Any = None) -> bool:
    """Whether the channel layer itself reaches other processes (Redis) or needs the relay."""
    layer = layer if layer is not None else get_channel_layer()
    return layer is not None and not isinstance(layer, InMemoryChannelLayer)


def layer_message(room: str, envelope: Envelope, event_id: int | None) -> dict[str, Any]:
    return {"type": MESSAGE_TYPE, "id": event_id, "room": room, "envelope": envelope}


D = TypeVar("D", bound=Mapping[str, Any])


@dataclass(frozen=True)
class Event(Generic[D]):
    """One kind of event: its one name `<area>.<event>` (its WebSocket and SSE names follow by
    `envelope`'s rule), its room, and as type parameter the `TypedDict` of its data."""

    name: str
    room: str

    def send(self, data: D) -> None:
        """Publish `data` to the event's room: the way code announces an event."""
        emit(self.room, self.name, data)


QUEUE_JOBS: Event[JobData] = Event("queue.jobs", "queue")
QUEUE_STATUS: Event[QueueStatusData] = Event("queue.status", "queue")
QUEUE_STARTED: Event[QueueStateData] = Event("queue.started", "queue")
QUEUE_STOPPED: Event[QueueStateData] = Event("queue.stopped", "queue")
WORKER_STATUS: Event[WorkerStatusData] = Event("worker.status", "system")
SYSTEM_HEALTH: Event[SystemHealthData] = Event("system.health", "system")
# A music library's scan and the series library's scan share these names (the reference's
# `scan_progress` and `scan_complete`); the data says which (`library_id` or `scope: "series"`).
SCAN_PROGRESS: Event[ScanProgressData | SeriesScanProgressData] = Event("scan.progress", "library")
SCAN_COMPLETE: Event[ScanCompleteData | SeriesScanCompleteData] = Event("scan.complete", "library")
DOWNLOAD_PROGRESS: Event[DownloadProgressEventData] = Event("download.progress", "downloads")
DOWNLOAD_ADDED: Event[DownloadAddedData] = Event("download.added", "downloads")
DOWNLOAD_REMOVED: Event[DownloadRemovedData] = Event("download.removed", "downloads")
DOWNLOAD_COMPLETE: Event[DownloadCompleteData] = Event("download.complete", "downloads")
DOWNLOAD_FAILED: Event[DownloadFailedData] = Event("download.failed", "downloads")
# The download queue's own start/stop and counts: aniworld's `queue_started`, `queue_stopped`
# and `queue_status` on the WebSocket (see `envelope.WS_TYPE_EXCEPTIONS`).
DOWNLOAD_QUEUE_STARTED: Event[DownloadQueueStateData] = Event("download.queue_started", "downloads")
DOWNLOAD_QUEUE_STOPPED: Event[DownloadQueueStateData] = Event("download.queue_stopped", "downloads")
DOWNLOAD_QUEUE_STATUS: Event[DownloadQueueStatusData] = Event("download.queue_status", "downloads")
INVITATIONS_INVITATION: Event[InvitationEventData] = Event("invitations.invitation", "invitations")
INVITATIONS_USER: Event[MediaUserEventData] = Event("invitations.user", "invitations")
INVITATIONS_SERVER: Event[MediaServerEventData] = Event("invitations.server", "invitations")

EVENTS: dict[str, Event[Any]] = {
    event.name: event
    for event in (
        QUEUE_JOBS,
        QUEUE_STATUS,
        QUEUE_STARTED,
        QUEUE_STOPPED,
        WORKER_STATUS,
        SYSTEM_HEALTH,
        SCAN_PROGRESS,
        SCAN_COMPLETE,
        DOWNLOAD_PROGRESS,
        DOWNLOAD_ADDED,
        DOWNLOAD_REMOVED,
        DOWNLOAD_COMPLETE,
        DOWNLOAD_FAILED,
        DOWNLOAD_QUEUE_STARTED,
        DOWNLOAD_QUEUE_STOPPED,
        DOWNLOAD_QUEUE_STATUS,
        INVITATIONS_INVITATION,
        INVITATIONS_USER,
        INVITATIONS_SERVER,
    )
}

# Every message type a WebSocket client can receive or send (for GET /ws/status).
CONTROL_MESSAGE_TYPES = ("connected", "ping", "pong", "room_joined", "room_left", "error")
SUPPORTED_MESSAGE_TYPES = tuple(
    dict.fromkeys([*(ws_type(name) for name in EVENTS), *CONTROL_MESSAGE_TYPES])
)


def validate(room: str, event_type: str) -> None:
    """Refuse an unknown room, a malformed type, or a known type sent to the wrong room."""
    if room not in ROOMS:
        raise ValueError(f"unknown room {room!r}; rooms are {', '.join(ROOMS)}")
    area, _, name = event_type.partition(".")
    if not area or not name:
        raise ValueError(f"event type must be '<area>.<event>', got {event_type!r}")
    event = EVENTS.get(event_type)
    if event is not None and event.room != room:
        raise ValueError(f"{event_type} events belong to room {event.room!r}, not {room!r}")


def emit(room: str, event_type: str, data: Mapping[str, Any]) -> None:
    """Publish `data` as an `event_type` event to `room` (see the module docstring)."""
    validate(room, event_type)
    envelope = make(event_type, data)
    if _in_event_loop():
        logger.warning("emit() called from async code; use aemit(). Dropped %s", event_type)
        return
    try:
        transaction.on_commit(partial(_publish, room, envelope))
    except Exception:  # no database connection at all: a notification must not break the caller
        logger.warning("Could not publish event %s", event_type, exc_info=True)


async def aemit(room: str, event_type: str, data: Mapping[str, Any]) -> None:
    """`emit` for async code (consumers, async views)."""
    await sync_to_async(emit)(room, event_type, data)


def _in_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _publish(room: str, envelope: Envelope) -> None:
    layer = get_channel_layer()
    event_id = _store(room, envelope)
    if crosses_processes(layer):
        publisher.submit(layer, room, envelope, event_id)
    elif event_id is None and layer is not None:
        # The outbox is unavailable: at least reach the clients of this process.
        _group_send(layer, room, envelope, None)


def _store(room: str, envelope: Envelope) -> int | None:
    try:
        return outbox.write(room, envelope)
    except Exception:  # a notification must never break the caller's work
        logger.warning("Could not store event %s in the outbox", envelope["type"], exc_info=True)
        return None


def _group_send(layer: Any, room: str, envelope: Envelope, event_id: int | None) -> None:
    message = layer_message(room, envelope, event_id)
    try:
        try:
            async_to_sync(layer.group_send)(group_name(room), message)
        except RuntimeError:
            # In the cluster's main process (sweep thread) the main thread is already waiting in
            # exit handlers, so asgiref cannot schedule its executor; a private loop still works.
            asyncio.run(layer.group_send(group_name(room), message))
    except Exception:  # a notification must never break the caller's work
        logger.warning("Could not send event %s", envelope["type"], exc_info=True)


class Publisher:
    """Sends events to a cross-process channel layer from one daemon thread per process.

    `async_to_sync` would run every send in a new event loop, and channels_redis keeps its
    connections per loop, so each event paid for a new Redis connection (and a thread). This
    thread keeps one loop, and with it the connections, for the life of the process. Callers
    never wait: events queue in order in a bounded buffer (a full buffer drops new events, which
    are notifications), and whatever is queued is sent before the process exits.
    """

    BUFFER = 10_000
    BATCH = 500
    SEND_TIMEOUT = 5.0
    EXIT_FLUSH_SECONDS = 5.0

    def __init__(self) -> None:
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        # A forked child inherits neither the thread nor a usable loop: start afresh on demand.
        self._pid = os.getpid()
        self._queue: queue.Queue = queue.Queue(maxsize=self.BUFFER)
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._idle = threading.Condition()
        self._unsent = 0
        self._dropped = 0

    def submit(self, layer: Any, room: str, envelope: Envelope, event_id: int | None) -> None:
        """Queue one event for `room`'s group; never blocks and never raises."""
        try:
            self._ensure_thread()
            with self._idle:
                self._queue.put_nowait((layer, room, envelope, event_id))
                self._unsent += 1
        except queue.Full:
            self._dropped += 1
            if self._dropped == 1 or self._dropped % 1000 == 0:
                logger.warning(
                    "Event buffer full (%d waiting for the channel layer); dropped %d so far",
                    self.BUFFER,
                    self._dropped,
                )
        except Exception:
            logger.warning("Could not send event %s", envelope["type"], exc_info=True)

    def flush(self, timeout: float = EXIT_FLUSH_SECONDS) -> bool:
        """Wait until every queued event was handed to the layer; False if `timeout` ran out."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._unsent and self._thread is not None and self._pid == os.getpid():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    logger.warning("%d events were not sent before the deadline", self._unsent)
                    return False
                self._idle.wait(remaining)
        return True

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._pid == os.getpid():
            return
        with self._start_lock:
            if self._pid != os.getpid():
                self._reset()
            if self._thread is not None:
                return
            thread = threading.Thread(target=self._run, name="nomarr-event-publisher", daemon=True)
            thread.start()
            self._thread = thread
            # atexit for plain processes; multiprocessing children (django-q2 workers) end with
            # os._exit and run only multiprocessing's finalizers.
            atexit.register(self.flush)
            multiprocessing.util.Finalize(None, self.flush, exitpriority=100)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        while True:
            batch = [self._queue.get()]
            while len(batch) < self.BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                loop.run_until_complete(self._send(batch))
            except BaseException:  # the thread must outlive anything a send does
                logger.warning("Could not send %d events", len(batch), exc_info=True)
            with self._idle:
                self._unsent -= len(batch)
                self._idle.notify_all()

    async def _send(self, batch: list[tuple[Any, str, Envelope, int | None]]) -> None:
        # One at a time, in order: a browser must see `running` before `done`.
        for layer, room, envelope, event_id in batch:
            message = layer_message(room, envelope, event_id)
            try:
                await asyncio.wait_for(
                    layer.group_send(group_name(room), message), self.SEND_TIMEOUT
                )
            except Exception:  # a notification must never break the caller's work
                logger.warning("Could not send event %s", envelope["type"], exc_info=True)


publisher = Publisher()

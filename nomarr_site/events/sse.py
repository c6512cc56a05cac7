"""The SSE event stream behind GET /api/web/events/status: replay after `Last-Event-ID`, the
current state, then live events named as the API reference names them, with keep-alives, until
the client goes away or its credential stops being valid."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Iterable
from typing import Any

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.core.exceptions import ImproperlyConfigured

from nomarr_site.events import outbox, state
from nomarr_site.events.access import Watch
from nomarr_site.events.envelope import Envelope, sse_name
from nomarr_site.events.relay import relay
from nomarr_site.events.sender import MESSAGE_TYPE, group_name

logger = logging.getLogger(__name__)

DEFAULT_ROOMS = ("queue", "system")
KEEPALIVE_SECONDS = 15.0
RECHECK_SECONDS = 5.0
RETRY_MILLISECONDS = 3000
BACKLOG_LIMIT = 1000
READ_FAILURES_LOGGED = 3  # in a row; a single read timeout is routine on an idle Redis


def frame(event: str, data: Any, event_id: int | None = None) -> str:
    """One SSE message; names and ids are ours, but never let a newline split a field."""
    event = event.replace("\r", " ").replace("\n", " ")
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data)}\n\n"


def envelope_frame(envelope: Envelope, event_id: int | None) -> str:
    return frame(sse_name(envelope), envelope["data"], event_id)


def _snapshot(rooms: Iterable[str]) -> list[str]:
    frames = []
    if "queue" in rooms:
        frames.append(frame("queue:status", state.queue_status()))
    if "system" in rooms:
        frames.append(frame("system:health", state.system_health()))
    return frames


async def _read(layer: Any, channel: str, inbox: asyncio.Queue) -> None:
    """Move this stream's channel-layer messages into `inbox` (one reader per stream)."""
    failures = 0
    while True:
        try:
            message = await layer.receive(channel)
        except asyncio.CancelledError:
            raise
        except Exception:  # a Redis blip or read timeout must not silence the stream for good
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                # redis-py can turn the cancellation of a blocking read into a timeout error.
                raise asyncio.CancelledError from None
            failures += 1
            level = logging.WARNING if failures >= READ_FAILURES_LOGGED else logging.DEBUG
            logger.log(level, "SSE stream could not read its channel", exc_info=True)
            await asyncio.sleep(min(1.0, 0.05 * 2**failures))
            continue
        failures = 0
        if message.get("type") == MESSAGE_TYPE:
            inbox.put_nowait(message)


async def event_stream(
    watch: Watch, rooms: tuple[str, ...], last_event_id: int | None
) -> AsyncIterator[str]:
    """The body of the SSE response (an async generator of text)."""
    layer = get_channel_layer()
    if layer is None:  # settings always define one
        raise ImproperlyConfigured("CHANNEL_LAYERS has no default layer")
    channel = await layer.new_channel()
    inbox: asyncio.Queue = asyncio.Queue()
    await relay.ensure_started()
    # Subscribe before reading the backlog and the state, so nothing falls between them.
    for room in rooms:
        await layer.group_add(group_name(room), channel)
    reader = asyncio.get_running_loop().create_task(_read(layer, channel, inbox))
    try:
        yield f"retry: {RETRY_MILLISECONDS}\n\n"
        replayed: set[int] = set()
        if last_event_id is not None:
            backlog = await database_sync_to_async(outbox.after)(
                last_event_id, rooms, (), BACKLOG_LIMIT
            )
            for event_id, _room, envelope in backlog:
                replayed.add(event_id)
                yield envelope_frame(envelope, event_id)
        for text in await database_sync_to_async(_snapshot)(rooms):
            yield text
        async for text in _live(watch, inbox, replayed):
            yield text
    finally:
        reader.cancel()
        for room in rooms:
            try:
                await layer.group_discard(group_name(room), channel)
            except Exception:  # cleanup of a closing stream: log, keep going
                logger.debug("Could not leave %s", room, exc_info=True)


async def _live(watch: Watch, inbox: asyncio.Queue, replayed: set[int]) -> AsyncIterator[str]:
    next_keepalive = time.monotonic() + KEEPALIVE_SECONDS
    next_check = time.monotonic() + RECHECK_SECONDS
    while True:
        timeout = max(0.0, min(next_keepalive, next_check) - time.monotonic())
        try:
            message = await asyncio.wait_for(inbox.get(), timeout)
        except TimeoutError:
            message = None
        now = time.monotonic()
        if message is not None or now >= next_check:
            if now >= next_check:
                next_check = now + RECHECK_SECONDS
            if not await watch.valid():
                yield frame("error", {"message": "Your credential is no longer valid"})
                return
        if message is not None and message.get("id") not in replayed:
            yield envelope_frame(message["envelope"], message.get("id"))
        if now >= next_keepalive:
            next_keepalive = now + KEEPALIVE_SECONDS
            yield ": keep-alive\n\n"

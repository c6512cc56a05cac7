"""The outbox relay of the embedded set-up: one asyncio task per web process tails the outbox
table by id and puts each new event on this process's in-memory channel layer groups.

It starts lazily with the first WebSocket or SSE connection (a process with no listener has
nobody to deliver to) and does nothing when the channel layer already crosses processes.
"""

from __future__ import annotations

import asyncio
import logging
import time

from channels.db import database_sync_to_async
from channels.layers import BaseChannelLayer, get_channel_layer

from nomarr_site.events import outbox
from nomarr_site.events.sender import crosses_processes, group_name, layer_message

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.1
ERROR_BACKOFF_SECONDS = 1.0
# How long a skipped id is looked for again: a PostgreSQL insert that took an id before
# another one may commit after it. SQLite serialises writers, so there ids arrive in order.
GAP_GRACE_SECONDS = 2.0
MAX_GAPS = 1000


class Relay:
    def __init__(self) -> None:
        self._task: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock: asyncio.Lock | None = None
        self.last_id = 0
        self._gaps: dict[int, float] = {}  # id -> monotonic deadline

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def ensure_started(self) -> None:
        """Start the relay in the running event loop unless it already runs there."""
        if crosses_processes():
            return
        loop = asyncio.get_running_loop()
        if self.running and self._loop is loop:
            return
        if self._lock is None or self._loop is not loop:
            self._loop, self._lock = loop, asyncio.Lock()
        async with self._lock:
            if self.running and self._loop is loop:
                return
            # Start from the newest row: earlier events were for listeners that no longer exist.
            try:
                self.last_id = await database_sync_to_async(outbox.latest_id)()
            except Exception:  # the next connection tries again
                logger.warning("Event relay could not start", exc_info=True)
                return
            self._gaps.clear()
            self._task = loop.create_task(self._run(), name="nomarr-event-relay")
            logger.info("Event relay started after outbox id %d", self.last_id)

    async def stop(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        self._task = None

    async def _run(self) -> None:
        layer = get_channel_layer()
        if layer is None:  # settings always define one; without it there is nowhere to deliver
            logger.error("Event relay not started: CHANNEL_LAYERS has no default layer")
            return
        while True:
            try:
                delivered = await self.poll_once(layer)
            except asyncio.CancelledError:
                raise
            except Exception:  # the relay must outlive a locked or restarting database
                logger.warning("Event relay could not read the outbox", exc_info=True)
                await asyncio.sleep(ERROR_BACKOFF_SECONDS)
                continue
            if not delivered:
                await asyncio.sleep(POLL_SECONDS)

    async def poll_once(self, layer: BaseChannelLayer) -> int:
        """Deliver the rows that appeared since the last poll; return how many."""
        self._expire_gaps()
        rows = await database_sync_to_async(outbox.after)(self.last_id, None, list(self._gaps))
        for event_id, room, envelope in rows:
            self._track(event_id)
            await layer.group_send(group_name(room), layer_message(room, envelope, event_id))
        return len(rows)

    def _track(self, event_id: int) -> None:
        if self._gaps.pop(event_id, None) is not None:
            return
        if event_id > self.last_id + 1:
            deadline = time.monotonic() + GAP_GRACE_SECONDS
            for missing in range(max(self.last_id + 1, event_id - MAX_GAPS), event_id):
                self._gaps[missing] = deadline
        self.last_id = max(self.last_id, event_id)

    def _expire_gaps(self) -> None:
        now = time.monotonic()
        for missing in [pk for pk, deadline in self._gaps.items() if deadline < now]:
            del self._gaps[missing]
        while len(self._gaps) > MAX_GAPS:
            del self._gaps[min(self._gaps)]


relay = Relay()

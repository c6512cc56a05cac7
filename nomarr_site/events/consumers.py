"""WebSocket `/ws/connect`: the join/leave/ping protocol of aniworld §9 over Nomarr's rooms.

Client → server: `{"action": "join"|"leave", "data": {"room": ...}}`, `{"type": "ping"}` or
`{"action": "ping"}`. Server → client: `{"type", "timestamp", "data"}` with the types listed in
`sender.SUPPORTED_MESSAGE_TYPES`. The credential is checked on connect, before each event and
every RECHECK_SECONDS; once it is no longer valid the socket is closed with code 4401.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer

from nomarr_site.auth import policy
from nomarr_site.auth.credentials import InvalidCredential
from nomarr_site.events import access
from nomarr_site.events.envelope import ROOMS, ws_type
from nomarr_site.events.relay import relay
from nomarr_site.events.sender import group_name
from nomarr_site.parsers import MAX_DEPTH, nesting_depth_exceeds
from nomarr_site.timefmt import utc_iso

logger = logging.getLogger(__name__)

RECHECK_SECONDS = 5.0
MAX_MESSAGE_CHARS = 4096  # client messages are tiny; refuse anything bigger unparsed
CLOSE_CREDENTIAL_INVALID = 4401

_active_connections = 0


def active_connections() -> int:
    """Open event sockets in this process."""
    return _active_connections


def _now() -> str:
    return utc_iso(timespec="milliseconds")


class EventsConsumer(AsyncWebsocketConsumer):
    watch: access.Watch | None = None
    rooms: set[str]
    _recheck: asyncio.Task | None = None
    _counted = False

    async def connect(self) -> None:
        self.rooms = set()
        try:
            credential, session_key = await access.credential_for_scope(self.scope)
        except InvalidCredential as exc:
            logger.info("Refused an event socket: %s", exc)
            await self.close()
            return
        reason = access.refusal(policy.group_of_scope(self.scope), credential)
        if access.foreign_origin(access.scope_headers(self.scope), credential):
            reason = "a browser session may only connect from this site's own pages"
        if credential is None or reason:
            logger.info("Refused an event socket: %s", reason or "no credential")
            await self.close()
            return
        self.watch = access.Watch(credential, session_key)
        await relay.ensure_started()
        await self.accept()
        self._count(+1)
        self._recheck = asyncio.get_running_loop().create_task(self._recheck_loop())
        await self.send_message(
            "connected", {"message": "Connected to Nomarr events", "rooms": list(ROOMS)}
        )

    async def disconnect(self, code: int) -> None:
        if self._recheck is not None and self._recheck is not asyncio.current_task():
            self._recheck.cancel()
        await self._leave_all()
        self._count(-1)

    async def _leave_all(self) -> None:
        for room in list(getattr(self, "rooms", ())):
            await self.channel_layer.group_discard(group_name(room), self.channel_name)
        self.rooms = set()

    def _count(self, delta: int) -> None:
        global _active_connections
        if delta > 0 and not self._counted:
            self._counted = True
            _active_connections += 1
        elif delta < 0 and self._counted:
            self._counted = False
            _active_connections -= 1

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.watch is None:
            return  # refused or dropped: nothing more to say
        if text_data is None:
            await self.send_error("Binary messages are not supported; send JSON text")
            return
        if len(text_data) > MAX_MESSAGE_CHARS:
            await self.send_error(f"Message too long (max {MAX_MESSAGE_CHARS} characters)")
            return
        if nesting_depth_exceeds(text_data):  # as for HTTP bodies: json would recurse per level
            await self.send_error(f"Message nested deeper than {MAX_DEPTH} levels is refused")
            return
        try:
            message = json.loads(text_data)
        except ValueError:
            await self.send_error("Message is not valid JSON")
            return
        if not isinstance(message, dict):
            await self.send_error("Message must be a JSON object")
            return
        await self.handle(message)

    async def handle(self, message: dict[str, Any]) -> None:
        action = message.get("action")
        if message.get("type") == "ping" or action == "ping":
            await self.send_message("pong", {})
            return
        if action not in ("join", "leave"):
            await self.send_error("Unknown message; send an action join, leave or ping")
            return
        data = message.get("data")
        room = data.get("room") if isinstance(data, dict) else None
        if not isinstance(room, str) or room not in ROOMS:
            await self.send_error(f"Unknown room {room!r}; rooms are {', '.join(ROOMS)}")
            return
        if action == "join":
            await self.channel_layer.group_add(group_name(room), self.channel_name)
            self.rooms.add(room)
            await self.send_message("room_joined", {"room": room, "rooms": sorted(self.rooms)})
        else:
            await self.channel_layer.group_discard(group_name(room), self.channel_name)
            self.rooms.discard(room)
            await self.send_message("room_left", {"room": room, "rooms": sorted(self.rooms)})

    async def event_message(self, message: dict[str, Any]) -> None:
        """A published event from the channel layer (see sender.layer_message)."""
        if message.get("room") not in self.rooms:
            return  # left the room while this was in flight
        if not await self._still_allowed():
            return
        envelope = message["envelope"]
        await self.send(
            text_data=json.dumps(
                {
                    "type": ws_type(envelope["type"]),
                    "timestamp": envelope["timestamp"],
                    "data": envelope["data"],
                }
            )
        )

    async def _recheck_loop(self) -> None:
        while True:
            await asyncio.sleep(RECHECK_SECONDS)
            if not await self._still_allowed():
                return

    async def _still_allowed(self) -> bool:
        if self.watch is not None and await self.watch.valid():
            return True
        if self._counted:
            self.watch = None
            await self._leave_all()
            self._count(-1)
            await self.send_error("Your credential is no longer valid; reconnect after login")
            await self.close(code=CLOSE_CREDENTIAL_INVALID)
        return False

    async def send_message(self, message_type: str, data: dict[str, Any]) -> None:
        await self.send(
            text_data=json.dumps({"type": message_type, "timestamp": _now(), "data": data})
        )

    async def send_error(self, text: str) -> None:
        await self.send_message("error", {"message": text})

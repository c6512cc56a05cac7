"""ASGI guard that refuses request bodies over a size limit before anything buffers them.

Django's ASGI handler reads the whole body before routing, so a limit checked in Django comes
too late: a 300 MB POST to the (unauthenticated) login would already sit in the web process.
This wrapper answers 413 in the API's error format at once when `Content-Length` is too large,
and counts the chunks of a body sent without one (chunked), answering 413 and telling the app
the client went away as soon as the count passes the limit; the rest is never read.
The 413 takes the error shape of the route the path resolves to (AltMount's on its import
endpoint), as every other error of that route does.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any

from django.conf import settings
from django.urls import Resolver404, resolve

from nomarr_site.errors import NOMARR_ERRORS, error_body_for, error_format_of_view

logger = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length before we run
    return None


def _error_format(scope: Scope) -> str:
    return error_format_for_path(scope.get("path", ""), scope.get("root_path", ""))


def error_format_for_path(path: str, root: str) -> str:
    """The error shape of the route Django will resolve `path` to (as Django does: the path
    below the configured root path)."""
    if root and (path == root or path.startswith(root + "/")):
        path = path[len(root) :] or "/"
    try:
        return error_format_of_view(resolve(path).func)
    except Resolver404:
        return NOMARR_ERRORS


def _error_response(limit: int, error_format: str) -> tuple[dict[str, Any], bytes]:
    """The 413 start message and body in the route's error format."""
    # This runs before Django's request-id middleware, so the request gets its id here.
    request_id = uuid.uuid4().hex
    message = f"The request body is larger than the limit of {limit} bytes."
    fields = error_body_for(error_format, 413, message, details={"max_bytes": limit})
    if error_format == NOMARR_ERRORS:
        fields = {**fields, "request_id": request_id}
    body = json.dumps(fields).encode()
    start = {
        "type": "http.response.start",
        "status": 413,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"x-request-id", request_id.encode()),
            # The unread rest of the body makes the connection unusable for another request.
            (b"connection", b"close"),
        ],
    }
    return start, body


class BodyLimit:
    """Wrap an ASGI app: HTTP bodies over `limit` bytes (settings.MAX_BODY_BYTES) get a 413;
    `overrides` (settings.BODY_LIMIT_OVERRIDES) maps path prefixes to their own limit, for
    endpoints that take uploads; the longest matching prefix wins."""

    def __init__(
        self, app: ASGIApp, limit: int | None = None, overrides: Mapping[str, int] | None = None
    ):

        self.app = app
        self.limit = settings.MAX_BODY_BYTES if limit is None else limit
        if overrides is None:
            overrides = settings.BODY_LIMIT_OVERRIDES
        self.overrides = sorted(overrides.items(), key=lambda item: -len(item[0]))

    def limit_for(self, path: str) -> int:
        for prefix, limit in self.overrides:
            if path.startswith(prefix):
                return limit
        return self.limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        length = _content_length(scope)
        if length is not None and length > limit:
            logger.warning("Refused a %d-byte body to %s", length, scope.get("path", ""))
            await self._refuse(send, limit, scope)
            return
        await _Guarded(self, scope, receive, send, limit).run()

    async def _refuse(self, send: Send, limit: int, scope: Scope) -> None:
        start, body = _error_response(limit, _error_format(scope))
        await send(start)
        await send({"type": "http.response.body", "body": body})


class _Guarded:
    """One request whose body is counted as the app reads it."""

    def __init__(self, guard: BodyLimit, scope: Scope, receive: Receive, send: Send, limit: int):
        self.guard = guard
        self.scope = scope
        self.receive = receive
        self.send = send
        self.limit = limit
        self.received = 0
        self.refused = False
        self.started = False
        self.answered = False

    async def run(self) -> None:
        await self.guard.app(self.scope, self._receive, self._send)

    async def _receive(self) -> Message:
        if self.refused:
            return {"type": "http.disconnect"}
        message = await self.receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                self.refused = True
                logger.warning(
                    "Refused a streamed body over %d bytes to %s",
                    self.limit,
                    self.scope.get("path", ""),
                )
                if not self.started:
                    self.answered = True
                    await self.guard._refuse(self.send, self.limit, self.scope)
                # Django stops reading and never runs the view for a client that left.
                return {"type": "http.disconnect"}
        return message

    async def _send(self, message: Message) -> None:
        if self.answered:
            return  # our 413 is the answer; whatever the app says after it is dropped
        if message["type"] == "http.response.start":
            self.started = True
        await self.send(message)

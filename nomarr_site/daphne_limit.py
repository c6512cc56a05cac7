"""daphne's HTTP request, refusing a body over the limit while it arrives.

daphne (through Twisted) receives a whole body and then queues all of it for the application at
once, so the ASGI guard (bodylimit.py) would see a 300 MB body only once it is in memory. This
request answers 413 as soon as the declared length, or the bytes received so far, pass the
largest limit any path allows, and closes the connection: the rest is never read. The ASGI
guard still applies each path's own limit and covers other servers. The 413 takes the error
shape of the route its path resolves to, as the ASGI guard's does.
"""

from __future__ import annotations

import json
import logging
import uuid
from urllib.parse import unquote, urlsplit

from daphne.http_protocol import HTTPFactory, WebRequest
from django.conf import settings
from twisted.internet.interfaces import IAddress
from twisted.internet.protocol import Protocol

from nomarr_site.bodylimit import error_format_for_path
from nomarr_site.errors import NOMARR_ERRORS, error_body_for

logger = logging.getLogger(__name__)


def largest_limit() -> int:
    return max([settings.MAX_BODY_BYTES, *settings.BODY_LIMIT_OVERRIDES.values()])


def refusal(limit: int, error_format: str = NOMARR_ERRORS) -> bytes:
    """The raw 413 response, its body in the route's error format."""
    message = f"The request body is larger than the limit of {limit} bytes."
    request_id = uuid.uuid4().hex
    fields = error_body_for(error_format, 413, message, details={"max_bytes": limit})
    if error_format == NOMARR_ERRORS:
        fields = {**fields, "request_id": request_id}
    body = json.dumps(fields).encode()
    head = (
        "HTTP/1.1 413 Payload Too Large\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"X-Request-ID: {request_id}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body


class LimitedWebRequest(WebRequest):
    """A daphne request that stops reading a body past `largest_limit()`."""

    refused = False
    received = 0

    def gotLength(self, length: int | None) -> None:  # noqa: N802 - Twisted's name
        super().gotLength(length)
        if length is not None and length > largest_limit():
            self.refuse()

    def handleContentChunk(self, data: bytes) -> None:  # noqa: N802 - Twisted's name
        if self.refused:
            return
        self.received += len(data)
        if self.received > largest_limit():  # a chunked body, counted as it comes
            self.refuse()
            return
        super().handleContentChunk(data)

    def requestReceived(self, command: bytes, path: bytes, version: bytes) -> None:  # noqa: N802
        if self.refused:
            return  # answered already; the application never sees this request
        super().requestReceived(command, path, version)

    def refuse(self) -> None:
        self.refused = True
        limit = largest_limit()
        logger.warning("Refused a request body over %d bytes from %s", limit, self.client_addr)
        transport = self.channel.transport
        transport.write(refusal(limit, self._error_format()))
        transport.loseConnection()

    def _error_format(self) -> str:
        # The request line is read before the headers; Twisted keeps its path on the channel
        # until the request is complete (this request never is).
        raw = getattr(self.channel, "_path", b"") or b""
        path = unquote(urlsplit(raw.decode("latin-1")).path)
        base = settings.URL_BASE
        if base and path != base and not path.startswith(base + "/"):
            path = base + path  # as rootpath.configured_scope routes it
        return error_format_for_path(path, base)


class LimitedHTTPFactory(HTTPFactory):
    """daphne's HTTP factory, building LimitedWebRequests."""

    def buildProtocol(self, addr: IAddress) -> Protocol | None:  # noqa: N802 - Twisted's name
        protocol: Protocol | None = super().buildProtocol(addr)
        if protocol is not None:
            protocol.requestFactory = LimitedWebRequest  # type: ignore[attr-defined]
        return protocol

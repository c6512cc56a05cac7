"""The API's JSON parser: DRF's, plus a nesting limit checked before decoding.

Python's json module recurses once per nested array or object, so a body of 100 000 `[` ends
in RecursionError (a 500) on every JSON endpoint, the login included. The depth is measured
first by one linear scan of the brackets outside strings, so no deep body reaches the decoder.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

from nomarr_site.errors import PayloadTooLarge, ValidationFailed

MAX_DEPTH = 64


# A whole JSON string (escapes included) or one bracket: strings are skipped in one match, so
# brackets inside them do not count.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
_OPENING = {"[", "{"}
_CLOSING = {"]", "}"}


def nesting_depth_exceeds(text: str, limit: int = MAX_DEPTH) -> bool:
    """True when arrays and objects in `text` nest deeper than `limit` (stops at the first
    bracket past it)."""
    depth = 0
    for match in _TOKENS.finditer(text):
        piece = match.group()
        if piece in _OPENING:
            depth += 1
            if depth > limit:
                return True
        elif piece in _CLOSING:
            depth -= 1
    return False


def _read_limited(stream: IO[bytes] | None, limit: int | None) -> bytes:
    if stream is None:
        return b""
    if limit is None:
        return stream.read()
    raw = stream.read(limit + 1)
    if len(raw) > limit:
        raise PayloadTooLarge(
            f"The request body is larger than the limit of {limit} bytes.",
            details={"max_bytes": limit},
        )
    return raw


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing bodies nested deeper than MAX_DEPTH with a 400 and bodies
    over DATA_UPLOAD_MAX_MEMORY_SIZE with a 413. Under ASGI the body limit (bodylimit.py) has
    refused those already; this covers the WSGI entry point, where DRF reads the raw stream
    and Django's own limit never applies."""

    max_depth = MAX_DEPTH

    def parse(
        self,
        stream: IO[bytes] | None,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        raw = _read_limited(stream, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if nesting_depth_exceeds(text, self.max_depth):
            raise ValidationFailed(
                f"JSON nested deeper than {self.max_depth} levels is refused.",
                details={"max_depth": self.max_depth},
            )
        parse_constant = json.strict_constant if self.strict else None
        try:
            return json.loads(text, parse_constant=parse_constant)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None

"""What an HTTP answer says about the file being downloaded: the checksum a source announces,
the byte range a 206 or 416 carries, and how long a 429 or 503 asks us to wait."""

from __future__ import annotations

import base64
import binascii
import email.utils
import re
import time
from dataclasses import dataclass

import httpx

SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")
_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)$", re.I)
_UNSATISFIED_RANGE = re.compile(r"bytes\s+\*/(\d+)$", re.I)


@dataclass(frozen=True)
class ContentRange:
    start: int
    end: int
    total: int | None  # None for "bytes 0-99/*"


def content_range(headers: httpx.Headers) -> ContentRange | None:
    """`Content-Range: bytes 100-199/1000` of a 206; None when missing or malformed."""
    match = _CONTENT_RANGE.match(headers.get("Content-Range", "").strip())
    if match is None or int(match.group(2)) < int(match.group(1)):
        return None
    total = None if match.group(3) == "*" else int(match.group(3))
    return ContentRange(int(match.group(1)), int(match.group(2)), total)


def unsatisfied_total(headers: httpx.Headers) -> int | None:
    """The size a 416 announces (`Content-Range: bytes */1000`)."""
    match = _UNSATISFIED_RANGE.match(headers.get("Content-Range", "").strip())
    return int(match.group(1)) if match else None


def retry_after(value: str | None) -> float | None:
    """Retry-After in seconds: a number of seconds or an HTTP date."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def announced_sha256(headers: httpx.Headers) -> str | None:
    """The SHA-256 (hex) of the whole file a source announces: `Repr-Digest: sha-256=:b64:`
    (RFC 9530), `Digest: SHA-256=b64` (RFC 3230) or `X-Checksum-Sha256: hex` (Artifactory,
    Nexus). A malformed value is ignored."""
    plain = str(headers.get("X-Checksum-Sha256", "")).strip()
    if SHA256_HEX.fullmatch(plain):
        return plain.lower()
    for name in ("Repr-Digest", "Digest"):
        for item in headers.get(name, "").split(","):
            algorithm, _, value = item.strip().partition("=")
            if algorithm.strip().lower() != "sha-256":
                continue
            try:
                raw = base64.b64decode(value.strip().strip(":"), validate=True)
            except (binascii.Error, ValueError):
                continue
            if len(raw) == 32:
                return raw.hex()
    return None

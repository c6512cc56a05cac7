"""The one way Nomarr writes a moment as text: ISO 8601 in UTC with a `Z` suffix."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

Precision = Literal["auto", "seconds", "milliseconds"]


def utc_iso(moment: datetime | None = None, timespec: Precision = "auto") -> str:
    """`moment` (default: now) as `2025-12-13T09:01:30.123Z`, cut to `timespec`."""
    moment = datetime.now(UTC) if moment is None else moment.astimezone(UTC)
    return moment.isoformat(timespec=timespec).removesuffix("+00:00") + "Z"

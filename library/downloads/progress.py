"""Download progress: the `Progress` value handed to callbacks, its event shape, and the meter
that smooths the speed over the last few seconds and throttles the callbacks."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypedDict

MB = 1024 * 1024
SPEED_WINDOW = 5.0  # seconds of samples the speed is averaged over
CALLBACK_INTERVAL = 0.25  # at most ~4 callbacks a second, plus the final one


class ProgressEvent(TypedDict):
    percent: float | None  # 0-100, one decimal; None while the size is unknown
    downloaded_mb: float
    total_mb: float | None
    speed_mbps: float | None  # MB (MiB) per second
    eta_seconds: int | None


@dataclass(frozen=True)
class Progress:
    downloaded: int  # bytes in the temp file now
    total: int | None  # bytes expected, when known
    speed_bps: float | None  # bytes/s, smoothed over the last few seconds
    eta_seconds: float | None

    @property
    def percent(self) -> float | None:
        if not self.total:
            return None
        return round(min(100.0, self.downloaded * 100 / self.total), 1)

    def as_event(self) -> ProgressEvent:
        """The numbers as the `downloads` events and the queue API show them."""
        return {
            "percent": self.percent,
            "downloaded_mb": round(self.downloaded / MB, 2),
            "total_mb": round(self.total / MB, 2) if self.total is not None else None,
            "speed_mbps": round(self.speed_bps / MB, 2) if self.speed_bps is not None else None,
            "eta_seconds": round(self.eta_seconds) if self.eta_seconds is not None else None,
        }


class Meter:
    """Turns byte counts into `Progress` and calls `callback` at most every
    `CALLBACK_INTERVAL` seconds; `finish` always calls it."""

    def __init__(
        self,
        callback: Callable[[Progress], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.callback = callback
        self.clock = clock
        self.samples: deque[tuple[float, int]] = deque()
        self.last_call: float | None = None

    def restart(self) -> None:
        """Forget the samples (the file was truncated: the old counts mean nothing now)."""
        self.samples.clear()

    def progress(self, downloaded: int, total: int | None) -> Progress:
        now = self.clock()
        self.samples.append((now, downloaded))
        while len(self.samples) > 2 and now - self.samples[0][0] > SPEED_WINDOW:
            self.samples.popleft()
        first_time, first_bytes = self.samples[0]
        speed = None
        if now - first_time > 0 and downloaded >= first_bytes:
            speed = (downloaded - first_bytes) / (now - first_time)
        eta = None
        if total is not None and speed:
            eta = max(0, total - downloaded) / speed
        return Progress(downloaded, total, speed, eta)

    def update(self, downloaded: int, total: int | None) -> None:
        progress = self.progress(downloaded, total)
        if self.last_call is None or self.clock() - self.last_call >= CALLBACK_INTERVAL:
            self.last_call = self.clock()
            self.callback(progress)

    def finish(self, size: int) -> None:
        progress = self.progress(size, size)
        self.callback(Progress(size, size, progress.speed_bps, 0.0))

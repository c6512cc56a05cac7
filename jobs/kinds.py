"""The queue's own kinds: `noop` (benchmarks) and `sleep` (tests: timing, failure, side effects)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from jobs.registry import register
from jobs.runner import JobRunner

MAX_SLEEP_SECONDS = 3600


@register("noop", concurrency=64, max_attempts=1)
class NoopRunner(JobRunner):
    """Does nothing; measures the queue's own overhead."""

    def run(self) -> dict | None:
        return None


@register("sleep", concurrency=64, max_attempts=3)
class SleepRunner(JobRunner):
    """Sleeps `seconds` in small steps (checking for cancellation), optionally fails.

    Payload: {"seconds": float, "fail": bool, "marker_dir": path}. With `marker_dir`, the job
    appends its id to `<marker_dir>/ran.txt` before sleeping, so tests can count executions.
    """

    def run(self) -> dict | None:
        seconds = float(self.payload.get("seconds", 0) or 0)
        if not 0 <= seconds <= MAX_SLEEP_SECONDS:
            raise ValueError(f"seconds must be between 0 and {MAX_SLEEP_SECONDS}, got {seconds}")
        marker_dir = self.payload.get("marker_dir")
        if marker_dir:
            self._mark(Path(marker_dir))
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self.check_cancelled()
            self.progress(1 - left / seconds, f"{left:.1f} s left", eta=left)
            time.sleep(min(0.1, left))
        if self.payload.get("fail"):
            raise RuntimeError(self.payload.get("message") or "sleep job asked to fail")
        return {"slept": seconds, "pid": os.getpid()}

    def _mark(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        # One short O_APPEND write per job: atomic between processes on a local file system.
        line = f"{self.job.pk} {self.job.attempts} {os.getpid()}\n".encode()
        fd = os.open(folder / "ran.txt", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)

"""Queue events: job changes and progress (`queue.job`), counts (`queue.status`) in room
"queue", and worker state (`worker.status`) in room "system". Counts are throttled per process."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import connection

from nomarr_site.events import emit
from nomarr_site.events.envelope import JobEventData
from nomarr_site.timefmt import utc_iso

if TYPE_CHECKING:
    from jobs.models import Job

logger = logging.getLogger(__name__)

STATUS_MIN_INTERVAL = 0.5
_status_lock = threading.Lock()
_last_status = 0.0
_trailing: threading.Timer | None = None


def job_event_data(job: Job) -> JobEventData:
    """`queue.job` data: flat progress fields."""

    def iso(moment: datetime | None) -> str | None:
        return utc_iso(moment) if moment else None

    return {
        "id": job.pk,
        "status": job.status,
        "kind": job.kind,
        "path": job.path,
        "error": job.error_message or None,
        "progress": job.progress_fraction,
        "message": job.progress_message,
        "counters": job.progress_counters or {},
        "speed": job.progress_speed,
        "eta": job.progress_eta,
        "worker": job.worker_id or None,
        "started_at": iso(job.started_at),
        "finished_at": iso(job.finished_at),
    }


def emit_job(job: Job) -> None:
    emit("queue", "queue.job", job_event_data(job))


def emit_queue_state(paused: bool) -> None:
    """`queue.stopped` on pause, `queue.started` on resume."""
    if paused:
        emit("queue", "queue.stopped", {"status": "paused", "message": "All workers paused"})
    else:
        emit("queue", "queue.started", {"status": "running", "message": "All workers resumed"})


def emit_queue_status(force: bool = False) -> None:
    """Announce the counts, at most twice a second per process unless `force`. A throttled
    call schedules one trailing announcement, so the last counts of a burst still go out."""
    global _last_status, _trailing
    with _status_lock:
        now = time.monotonic()
        wait = STATUS_MIN_INTERVAL - (now - _last_status)
        if not force and wait > 0:
            if _trailing is None:
                _trailing = threading.Timer(wait, _trailing_status)
                _trailing.daemon = True
                _trailing.start()
            return
        _last_status = now
    from jobs.services.stats import queue_status

    try:
        emit("queue", "queue.status", queue_status())
    except Exception:  # events are notifications; a failed count must not fail a job
        logger.warning("Could not compute queue status", exc_info=True)


def _trailing_status() -> None:
    global _trailing
    with _status_lock:
        _trailing = None
    try:
        emit_queue_status(force=True)
    finally:
        connection.close()  # this timer thread's own connection


def emit_worker(component: str, status: str, pid: int, current_job: int | None) -> None:
    emit(
        "system",
        "worker.status",
        {"component": component, "status": status, "pid": pid, "current_job": current_job},
    )

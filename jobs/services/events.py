"""Queue events: job changes and progress (`queue.jobs`, the job object the API lists), counts
(`queue.status`) in room "queue", and worker state (`worker.status`) in room "system". Each goes
through its event's typed `send`. Counts are throttled per process."""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from django.db import connection

from jobs.serializers import job_json
from jobs.services.stats import queue_status
from nomarr_site.events.envelope import SystemHealthData
from nomarr_site.events.sender import (
    QUEUE_JOBS,
    QUEUE_STARTED,
    QUEUE_STATUS,
    QUEUE_STOPPED,
    SYSTEM_HEALTH,
    WORKER_STATUS,
)

if TYPE_CHECKING:
    from jobs.models import Job

logger = logging.getLogger(__name__)

STATUS_MIN_INTERVAL = 0.5
_status_lock = threading.Lock()
_last_status = 0.0
_trailing: threading.Timer | None = None


def emit_job(job: Job) -> None:
    """`queue.jobs`: the job as `GET /api/web/queue/list` shows it."""
    QUEUE_JOBS.send(job_json(job))


def emit_queue_state(paused: bool) -> None:
    """`queue.stopped` on pause, `queue.started` on resume."""
    if paused:
        QUEUE_STOPPED.send({"status": "paused", "message": "All workers paused"})
    else:
        QUEUE_STARTED.send({"status": "running", "message": "All workers resumed"})


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

    try:
        QUEUE_STATUS.send(queue_status())
    except Exception:  # events are notifications; a failed count must not fail a job
        logger.warning("Could not compute queue status", exc_info=True)


def cancel_trailing_status() -> None:
    """Drop a scheduled trailing announcement (a process that is about to stop, or a test that
    ends before the timer would fire and take the database with it)."""
    global _trailing
    with _status_lock:
        if _trailing is not None:
            _trailing.cancel()
            _trailing = None


def _trailing_status() -> None:
    global _trailing
    with _status_lock:
        _trailing = None
    try:
        emit_queue_status(force=True)
    finally:
        connection.close()  # this timer thread's own connection


def emit_worker(component: str, status: str, pid: int, current_job: int | None) -> None:
    WORKER_STATUS.send(
        {"component": component, "status": status, "pid": pid, "current_job": current_job}
    )


def emit_health(health: SystemHealthData) -> None:
    SYSTEM_HEALTH.send(health)

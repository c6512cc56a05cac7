"""The current state an event stream sends on connect (queue counts, system health), read
without importing the jobs app's models, so the stream works before that app is migrated."""

from __future__ import annotations

import logging
from datetime import timedelta
from importlib import import_module

from django.apps import apps
from django.core.exceptions import FieldError
from django.db import DatabaseError
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.utils import timezone

from nomarr_site import health
from nomarr_site.events.envelope import QueueStatusData, SystemHealthData

logger = logging.getLogger(__name__)

AVERAGE_WINDOW = timedelta(hours=24)  # avg_time reflects recent jobs, not the whole history


def empty_queue_status() -> QueueStatusData:
    return {
        "pending": 0,
        "running": 0,
        "completed": 0,
        "errors": 0,
        "avg_time": None,
        "eta": None,
    }


def queue_status() -> QueueStatusData:
    """The jobs app's own `queue.status` data when it offers it (so the snapshot matches the
    live events), else counts of the `jobs.Job` table, else zeros (not installed or migrated)."""
    try:
        stats = import_module("jobs.services.stats")
        status: QueueStatusData = stats.queue_status()
        return status
    except ImportError:
        pass
    except (DatabaseError, FieldError) as exc:
        logger.debug("Queue status unavailable: %s", exc)
        return empty_queue_status()
    return _counted_queue_status()


def _counted_queue_status() -> QueueStatusData:
    try:
        job_model = apps.get_model("jobs", "Job")
    except LookupError:
        return empty_queue_status()
    try:
        counts = job_model.objects.aggregate(
            pending=Count("pk", filter=Q(status="pending")),
            running=Count("pk", filter=Q(status="running")),
            completed=Count("pk", filter=Q(status="done")),
            errors=Count("pk", filter=Q(status="error")),
        )
        recent = job_model.objects.filter(
            status="done",
            started_at__isnull=False,
            finished_at__gte=timezone.now() - AVERAGE_WINDOW,
        )
        duration = ExpressionWrapper(F("finished_at") - F("started_at"), DurationField())
        average = recent.aggregate(value=Avg(duration))["value"]
    except (DatabaseError, FieldError) as exc:  # not migrated yet, or another shape of Job
        logger.debug("Queue counts unavailable: %s", exc)
        return empty_queue_status()
    avg_time = round(average.total_seconds(), 3) if average is not None else None
    status = empty_queue_status()
    status["pending"] = int(counts["pending"] or 0)
    status["running"] = int(counts["running"] or 0)
    status["completed"] = int(counts["completed"] or 0)
    status["errors"] = int(counts["errors"] or 0)
    status["avg_time"] = avg_time
    # As the API reference computes it: the pending jobs at the recent average duration.
    status["eta"] = round(avg_time * status["pending"], 3) if avg_time is not None else None
    return status


def system_health() -> SystemHealthData:
    """Database and data-dir checks, as `system.health` data."""
    errors: list[str] = []
    database = health.database_status()
    if database["status"] != "healthy":
        errors.append(f"database: {database.get('message', 'unavailable')}")
    filesystem = health.filesystem_status()
    if filesystem["status"] != "healthy":
        errors.append(f"data directory {filesystem['data_dir']} is not writable")
    if database["status"] != "healthy":
        overall = "unhealthy"
    elif errors:
        overall = "degraded"
    else:
        overall = "healthy"
    return {"status": overall, "errors": errors}

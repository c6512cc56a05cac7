"""The current state an event stream sends on connect (queue counts, system health), read
without importing the jobs app's models, so the stream works before that app is migrated."""

from __future__ import annotations

import logging
from importlib import import_module

from django.core.exceptions import FieldError
from django.db import DatabaseError

from nomarr_site import health
from nomarr_site.events.envelope import QueueStatusData, SystemHealthData

logger = logging.getLogger(__name__)


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
    """The jobs app's own `queue.status` data (so the snapshot matches the live events), or
    zeros while that app is not installed or its table not migrated."""
    try:
        stats = import_module("jobs.services.stats")
        status: QueueStatusData = stats.queue_status()
    except ImportError:
        return empty_queue_status()
    except (DatabaseError, FieldError) as exc:
        logger.debug("Queue status unavailable: %s", exc)
        return empty_queue_status()
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

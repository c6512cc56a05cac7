"""Health probes: a cheap liveness answer and a detailed one for dashboards and monitors. The
detailed report names paths, hosts and PIDs, so strangers get its statuses only (`summary`)."""

from __future__ import annotations

import os
import tempfile
import time
from datetime import UTC, datetime
from typing import Any

import psutil
from django.conf import settings
from django.db import connection
from django.utils import timezone

from jobs.services.workers import cluster_summary
from nomarr_site.timefmt import utc_iso

STARTED_AT = datetime.now(UTC)
_STARTED_MONOTONIC = time.monotonic()


def basic() -> dict[str, Any]:
    return {"status": "healthy", "timestamp": utc_iso(timezone.now()), "version": settings.VERSION}


def database_status() -> dict[str, Any]:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"
        return {"status": "unhealthy", "connection_time_ms": None, "message": str(exc)[:200]}
    elapsed = (time.perf_counter() - started) * 1000
    return {
        "status": "healthy",
        "connection_time_ms": round(elapsed, 2),
        "message": "Database connection successful",
        "engine": connection.vendor,
    }


def _writable(path) -> bool:
    try:
        with tempfile.NamedTemporaryFile(dir=path, prefix=".health-", delete=True):
            return True
    except OSError:
        return False


def filesystem_status() -> dict[str, Any]:
    writable = _writable(settings.DATA_DIR)
    return {
        "status": "healthy" if writable else "unhealthy",
        "data_dir": str(settings.DATA_DIR),
        "data_dir_writable": writable,
    }


def system_status() -> dict[str, Any]:
    memory = psutil.virtual_memory()
    disk = psutil.disk_usage(str(settings.DATA_DIR))
    return {
        "cpu_percent": psutil.cpu_percent(interval=None),
        "cpu_count": os.cpu_count(),
        "memory_percent": memory.percent,
        "memory_available_mb": round(memory.available / 2**20, 1),
        "disk_percent": disk.percent,
        "disk_free_mb": round(disk.free / 2**20, 1),
        "uptime_seconds": round(time.monotonic() - _STARTED_MONOTONIC, 1),
    }


def workers_status() -> dict[str, Any]:
    return cluster_summary()


def detailed() -> tuple[dict[str, Any], int]:
    database = database_status()
    dependencies: dict[str, Any] = {
        "database": database,
        "filesystem": filesystem_status(),
        "system": system_status(),
    }
    if database["status"] == "healthy":
        dependencies["workers"] = workers_status()
    else:
        dependencies["workers"] = {"status": "unknown", "alive": False}
    overall = "healthy"
    if database["status"] != "healthy":
        overall = "unhealthy"
    elif dependencies["filesystem"]["status"] != "healthy" or not dependencies["workers"]["alive"]:
        overall = "degraded"
    body = {
        **basic(),
        "status": overall,
        "dependencies": dependencies,
        "startup_time": utc_iso(STARTED_AT),
    }
    return body, 503 if overall == "unhealthy" else 200


STATUS_KEYS = ("status", "alive")  # what a stranger may read of each dependency


def summary(body: dict[str, Any]) -> dict[str, Any]:
    """The detailed report as a caller without a credential sees it: the overall status and each
    dependency's status, nothing that names a path, a host or a process."""
    return {
        **basic(),
        "status": body["status"],
        "dependencies": {
            name: {key: part[key] for key in STATUS_KEYS if key in part}
            for name, part in body["dependencies"].items()
            if "status" in part
        },
    }

"""Queue counts and timing estimates for the API, the page and `queue.status` events."""

from __future__ import annotations

from django.db.models import Count

from jobs.models import Job, QueueControl
from nomarr_site.events.envelope import QueueStatusData

AVERAGE_OVER = 100


def counts() -> dict[str, int]:
    """Jobs per status, with the API's names (`completed` = done, `errors` = error)."""
    by_status = dict(Job.objects.values_list("status").annotate(n=Count("id")).order_by())
    return {
        "pending": by_status.get(Job.Status.PENDING, 0),
        "running": by_status.get(Job.Status.RUNNING, 0),
        "completed": by_status.get(Job.Status.DONE, 0),
        "errors": by_status.get(Job.Status.ERROR, 0),
        "cancelled": by_status.get(Job.Status.CANCELLED, 0),
    }


def average_seconds() -> float | None:
    """Mean run time of the last finished jobs, or None before any finished."""
    recent = (
        Job.objects.filter(status=Job.Status.DONE, started_at__isnull=False)
        .exclude(finished_at=None)
        .order_by("-finished_at")
        .values_list("started_at", "finished_at")[:AVERAGE_OVER]
    )
    # the filter excludes NULLs; the stubs only see nullable columns
    durations = [
        (end - start).total_seconds()
        for start, end in recent
        if start is not None and end is not None
    ]
    if not durations:
        return None
    return round(sum(durations) / len(durations), 3)


def queue_status() -> QueueStatusData:
    """`queue:status` data: counts plus average time per job and an ETA for the pending ones."""
    numbers = counts()
    average = average_seconds()
    eta = None
    if average is not None:
        parallel = max(1, numbers["running"])
        eta = round((numbers["pending"] + numbers["running"]) * average / parallel, 1)
    return {
        "pending": numbers["pending"],
        "running": numbers["running"],
        "completed": numbers["completed"],
        "errors": numbers["errors"],
        "cancelled": numbers["cancelled"],
        "avg_time": average,
        "eta": eta,
        "paused": QueueControl.get().paused,
    }

"""The download queue's answers: a Download Item (reference §10) from a `DownloadItem` and
its job, and `GET /api/queue/status` (state, bounded lists, statistics)."""

from __future__ import annotations

from typing import Any, TypedDict

from django.db.models import QuerySet, Sum

from jobs.models import Job
from library.downloads import status as item_statuses
from library.downloads.queue_state import QueueState, state
from library.models import DownloadItem
from nomarr_site.events.envelope import DownloadItemData, DownloadProgressData
from nomarr_site.httplog import hide_url_password
from nomarr_site.timefmt import utc_iso

MIB = 1024 * 1024
LIST_CAP = 100  # items per list of the status answer
AVERAGE_OVER = 100  # completed downloads the average speed is taken from
CLAIM_ORDER = ("-job__priority", "job__position", "job__created_at", "added_at")


class Statistics(TypedDict):
    total_items: int
    pending_count: int
    active_count: int
    completed_count: int
    failed_count: int
    total_downloaded_mb: float
    average_speed_mbps: float
    estimated_time_remaining: int | None


def _iso(moment: Any) -> str | None:
    return utc_iso(moment) if moment else None


def progress_of(item: DownloadItem) -> DownloadProgressData | None:
    """The item's last progress (while it downloads or after it finished), else None."""
    job = item.job
    if job is None or job.status == Job.Status.PENDING or not job.started_at:
        return None
    total = item.total_bytes
    percent = None
    if total:
        percent = round(min(100.0, 100.0 * item.downloaded_bytes / total), 1)
    return {
        "percent": 100.0 if job.status == Job.Status.DONE else percent,
        "downloaded_mb": round(item.downloaded_bytes / MIB, 2),
        "total_mb": round(total / MIB, 2) if total else None,
        "speed_mbps": item.speed_mbps,
        "eta_seconds": item.eta_seconds if job.status == Job.Status.RUNNING else None,
    }


def item_json(item: DownloadItem, queue: QueueState | None = None) -> DownloadItemData:
    """The reference's Download Item (`serie_id` is the series key). `source_url` hides a
    password written into the URL: answers and events reach every admin page and script."""
    queue = queue or state()
    job, series = item.job, item.series
    job_status = job.status if job is not None else None
    item_status = item_statuses.item_status(job_status, queue.is_paused)
    error = job.error_message if job is not None and job.error_message else None
    return {
        "id": str(item.pk),
        "serie_id": series.key,
        "serie_folder": series.folder,
        "serie_name": series.name,
        "episode": {"season": item.season, "episode": item.episode, "title": item.title},
        "status": item_status,
        "priority": Job.Priority(job.priority).label if job else "NORMAL",
        "added_at": utc_iso(item.added_at),
        "started_at": _iso(job.started_at) if job else None,
        "completed_at": _iso(job.finished_at) if job and job_status == Job.Status.DONE else None,
        "progress": progress_of(item),
        "error": error if item_status in (item_statuses.FAILED, item_statuses.CANCELLED) else None,
        "retry_count": item.retry_count,
        "source_url": hide_url_password(item.source_url) if item.source_url else None,
    }


def items() -> QuerySet[DownloadItem]:
    return DownloadItem.objects.select_related("series", "job")


def with_status(job_statuses: tuple[str, ...]) -> QuerySet[DownloadItem]:
    return items().filter(job__status__in=job_statuses)


def _waiting() -> QuerySet[DownloadItem]:
    """Items not started yet: a pending job, or none yet (being queued)."""
    return items().filter(job__status=Job.Status.PENDING) | items().filter(job__isnull=True)


def _average_speed(active: list[DownloadItem]) -> float | None:
    """MiB/s: the mean speed of the running downloads, else of the last completed ones."""
    speeds = [item.speed_mbps for item in active if item.speed_mbps]
    if speeds:
        return sum(speeds) / len(speeds)
    done = with_status((Job.Status.DONE,)).exclude(job__started_at=None)
    total_bytes = total_seconds = 0.0
    for item in done.order_by("-job__finished_at")[:AVERAGE_OVER]:
        job = item.job
        if job is None or job.started_at is None or job.finished_at is None:
            continue
        total_bytes += item.downloaded_bytes
        total_seconds += (job.finished_at - job.started_at).total_seconds()
    if total_seconds <= 0 or total_bytes <= 0:
        return None
    return total_bytes / MIB / total_seconds


def _eta(active: list[DownloadItem], waiting: int, speed: float | None) -> int | None:
    """Seconds until the queue is empty: bytes left (waiting items sized like the completed
    ones) over the average speed; None while a size or the speed is unknown."""
    if not active and not waiting:
        return 0
    if not speed:
        return None
    left = 0.0
    for item in active:
        if not item.total_bytes:
            return None
        left += max(0, item.total_bytes - item.downloaded_bytes)
    if waiting:
        done = with_status((Job.Status.DONE,)).exclude(downloaded_bytes=0)
        count = done.count()
        if not count:
            return None
        size = (done.aggregate(n=Sum("downloaded_bytes"))["n"] or 0) / count
        left += waiting * size
    return round(left / MIB / speed)


def statistics(active: list[DownloadItem]) -> Statistics:
    by_status = {name: with_status(jobs).count() for name, jobs in _COUNTED.items()}
    waiting = _waiting().count()
    speed = _average_speed(active)
    downloaded = DownloadItem.objects.aggregate(n=Sum("downloaded_bytes"))["n"] or 0
    return {
        "total_items": DownloadItem.objects.count(),
        "pending_count": waiting,
        "active_count": by_status["active"],
        "completed_count": by_status["completed"],
        "failed_count": by_status["failed"],
        "total_downloaded_mb": round(downloaded / MIB, 2),
        "average_speed_mbps": round(speed or 0.0, 2),
        "estimated_time_remaining": _eta(active, waiting, speed),
    }


_COUNTED = {
    "active": (Job.Status.RUNNING,),
    "completed": (Job.Status.DONE,),
    "failed": (Job.Status.ERROR,),
}


def status_body() -> dict[str, Any]:
    """`GET /api/queue/status`: each list holds at most `LIST_CAP` items (pending in the order
    they will start, completed and failed newest first); `statistics` counts them all."""
    queue = state()
    active = list(with_status((Job.Status.RUNNING,)).order_by("job__started_at")[:LIST_CAP])
    pending = _waiting().order_by(*CLAIM_ORDER)[:LIST_CAP]
    completed = with_status((Job.Status.DONE,)).order_by("-job__finished_at")[:LIST_CAP]
    failed = with_status((Job.Status.ERROR,)).order_by("-job__finished_at")[:LIST_CAP]
    return {
        "status": {
            "is_running": queue.is_running,
            "is_paused": queue.is_paused,
            "active_downloads": [item_json(i, queue) for i in active],
            "pending_queue": [item_json(i, queue) for i in pending],
            "completed_downloads": [item_json(i, queue) for i in completed],
            "failed_downloads": [item_json(i, queue) for i in failed],
        },
        "statistics": statistics(active),
    }

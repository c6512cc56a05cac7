"""The import history: items as the API and the page show them, and settling items whose job
ended without recording an outcome (cancelled, lost after its last attempt, removed)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypedDict

from jobs.models import Job
from library.models import ImportItem
from nomarr_site.timefmt import utc_iso

REMOVED = "The import job was removed from the queue before it finished"


class ImportItemJson(TypedDict):
    id: int
    file_path: str
    resolved_path: str
    relative_path: str
    kind: str
    status: str
    message: str
    destination: str
    downloader_id: str
    job_id: int | None
    job_status: str | None
    created_at: str
    finished_at: str | None


def _ending(item: ImportItem, job: Job | None) -> tuple[str, str] | None:
    """The end an active item has reached through its job, or None while the job is alive."""
    if job is None:
        return ImportItem.Status.FAILED, REMOVED
    if job.status == Job.Status.CANCELLED:
        return ImportItem.Status.CANCELLED, job.error_message or "Cancelled"
    if job.status in (Job.Status.ERROR, Job.Status.DONE):
        # DONE without an outcome: the runner never reached its end (cannot happen today).
        return ImportItem.Status.FAILED, job.error_message or item.message or "The import failed"
    return None


def settle(items: Iterable[ImportItem]) -> None:
    """Give active items whose job has ended their end (each a conditional update)."""
    for item in items:
        if not item.is_active:
            continue
        ending = _ending(item, item.job)
        if ending is not None:
            item.end(*ending)


def item_json(item: ImportItem) -> ImportItemJson:
    job = item.job
    return {
        "id": item.pk,
        "file_path": item.file_path,
        "resolved_path": item.resolved_path,
        "relative_path": item.relative_path,
        "kind": item.kind,
        "status": item.status,
        "message": item.message,
        "destination": item.destination,
        "downloader_id": item.downloader_id,
        "job_id": item.job_id,
        "job_status": job.status if job is not None else None,
        "created_at": utc_iso(item.created_at),
        "finished_at": utc_iso(item.finished_at) if item.finished_at else None,
    }


STATUS_FILTERS = tuple(ImportItem.Status.values)


def page(status: str | None, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """One page of the history, newest first, the active items on it settled first."""
    rows = ImportItem.objects.select_related("job")
    if status:
        rows = rows.filter(status=status)
    chosen = list(rows[offset : offset + limit])
    settle(chosen)
    return [dict(item_json(item)) for item in chosen], rows.count()

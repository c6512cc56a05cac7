"""Queue maintenance: clear, clean up, remove, retry, cancel and reorder jobs.

Running jobs are never deleted: a worker still owns them. Cancelling a running job only flags
it; the runner stops at its next `check_cancelled()`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.db.models import Max, Min, Q, QuerySet
from django.utils import timezone

from jobs.models import Job
from jobs.services import events


def _deleted(queryset: QuerySet[Job]) -> int:
    _, per_model = queryset.exclude(status=Job.Status.RUNNING).delete()
    removed = per_model.get(Job._meta.label, 0)
    if removed:
        events.emit_queue_status(force=True)
    return removed


def clear(which: str) -> int:
    """`all` (everything but running), `completed` (done) or `errors`."""
    statuses = {
        "all": [Job.Status.PENDING, Job.Status.DONE, Job.Status.ERROR, Job.Status.CANCELLED],
        "completed": [Job.Status.DONE],
        "errors": [Job.Status.ERROR],
    }[which]
    return _deleted(Job.objects.filter(status__in=statuses))


def cleanup(hours: int) -> int:
    """Delete finished jobs (done, error, cancelled) that ended more than `hours` ago."""
    limit = timezone.now() - timedelta(hours=hours)
    old = Job.objects.filter(status__in=Job.TERMINAL).filter(
        Q(finished_at__lt=limit) | Q(finished_at__isnull=True, created_at__lt=limit)
    )
    return _deleted(old)


def remove(ids: Iterable[int] | None = None, status: str | None = None) -> dict[str, int]:
    """Remove the given jobs, or all of one status, or all; running ones are skipped."""
    jobs = Job.objects.all()
    if ids is not None:
        jobs = jobs.filter(pk__in=list(ids))
    if status is not None:
        jobs = jobs.filter(status=status)
    skipped = jobs.filter(status=Job.Status.RUNNING).count()
    return {"removed": _deleted(jobs), "skipped_running": skipped}


def retry(ids: Iterable[int] | None = None, all_errors: bool = False) -> int:
    """Put failed or cancelled jobs back to pending with fresh attempts; returns how many."""
    from jobs.transport import wake_on_commit

    jobs = Job.objects.filter(status__in=[Job.Status.ERROR, Job.Status.CANCELLED])
    if all_errors:
        jobs = jobs.filter(status=Job.Status.ERROR)
    if ids is not None:
        jobs = jobs.filter(pk__in=list(ids))
    # A retried job with a dedup key must not collide with a newer active job of the same key.
    active_keys = Job.objects.filter(status__in=Job.ACTIVE).exclude(dedup_key="")
    jobs = jobs.exclude(dedup_key__in=active_keys.values("dedup_key"))
    with transaction.atomic():
        count = jobs.update(
            status=Job.Status.PENDING,
            attempts=0,
            error_message="",
            result=None,
            started_at=None,
            finished_at=None,
            heartbeat_at=None,
            worker_id="",
            run_after=None,
            cancel_requested=False,
            progress_fraction=None,
            progress_message="",
        )
        if count:
            wake_on_commit()
    if count:
        events.emit_queue_status(force=True)
    return count


def cancel(ids: Iterable[int], reason: str = "Cancelled") -> dict[str, int]:
    """Cancel pending jobs at once; flag running ones to stop at their next check. `reason`
    becomes the job's message (a running job keeps it when its runner stops)."""
    ids = list(ids)
    now = timezone.now()
    cancelled = Job.objects.filter(pk__in=ids, status=Job.Status.PENDING).update(
        status=Job.Status.CANCELLED, finished_at=now, error_message=reason
    )
    flagged = Job.objects.filter(pk__in=ids, status=Job.Status.RUNNING).update(
        cancel_requested=True, error_message=reason
    )
    for job in Job.objects.filter(pk__in=ids, status__in=[Job.Status.CANCELLED]):
        events.emit_job(job)
    if cancelled:
        events.emit_queue_status(force=True)
    return {"cancelled": cancelled, "flagged": flagged}


def reorder(ids: list[int], where: str = "top") -> int:
    """Place these pending jobs first (or last) within their priority, in the given order."""
    with transaction.atomic():
        pending = Job.objects.filter(status=Job.Status.PENDING)
        found = set(pending.filter(pk__in=ids).values_list("pk", flat=True))
        ordered = [pk for pk in dict.fromkeys(ids) if pk in found]
        if not ordered:
            return 0
        if where == "top":
            start = min(pending.aggregate(m=Min("position"))["m"] or 0, 0) - len(ordered)
        else:
            start = max(pending.aggregate(m=Max("position"))["m"] or 0, 0) + 1
        for offset, pk in enumerate(ordered):
            Job.objects.filter(pk=pk, status=Job.Status.PENDING).update(position=start + offset)
    return len(ordered)

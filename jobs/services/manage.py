"""Queue maintenance: clear, clean up, remove, retry, cancel and reorder jobs.

Running jobs are never deleted: a worker still owns them. Cancelling a running job only flags
it; the runner stops at its next `check_cancelled()`. Clears, cleanups and removals by status
leave the jobs of kinds that keep their own history (`registry.own_history_kinds()`, the
download queue's items) alone unless `kind` names that kind; removal by id removes what it names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TypedDict

from django.db import IntegrityError, transaction
from django.db.models import Max, Min, Q, QuerySet
from django.utils import timezone

from jobs import registry
from jobs.models import Job
from jobs.services import events
from jobs.transport import wake_on_commit


def _deleted(queryset: QuerySet[Job]) -> int:
    _, per_model = queryset.exclude(status=Job.Status.RUNNING).delete()
    removed = per_model.get(Job._meta.label, 0)
    if removed:
        events.emit_queue_status(force=True)
    return removed


def of_kind(jobs: QuerySet[Job], kind: str | None) -> QuerySet[Job]:
    """`jobs` of `kind`; without one, all but the kinds that keep their own history."""
    if kind is not None:
        return jobs.filter(kind=kind)
    return jobs.exclude(kind__in=registry.own_history_kinds())


def clear(which: str, kind: str | None = None) -> int:
    """`all` (everything but running), `completed` (done) or `errors`; of `kind` only when
    given (else of every kind but those keeping their own history)."""
    statuses = {
        "all": [Job.Status.PENDING, Job.Status.DONE, Job.Status.ERROR, Job.Status.CANCELLED],
        "completed": [Job.Status.DONE],
        "errors": [Job.Status.ERROR],
    }[which]
    return _deleted(of_kind(Job.objects.filter(status__in=statuses), kind))


# Finished jobs older than this go in a cleanup unless told otherwise (a week); at most ten years.
DEFAULT_CLEANUP_HOURS = 168
MAX_CLEANUP_HOURS = 24 * 365 * 10


def cleanup(hours: int, kind: str | None = None) -> int:
    """Delete finished jobs (done, error, cancelled) that ended more than `hours` ago (of
    `kind` only when given, else of the kinds not keeping their own history)."""
    limit = timezone.now() - timedelta(hours=hours)
    old = Job.objects.filter(status__in=Job.TERMINAL).filter(
        Q(finished_at__lt=limit) | Q(finished_at__isnull=True, created_at__lt=limit)
    )
    return _deleted(of_kind(old, kind))


def remove(
    ids: Iterable[int] | None = None, status: str | None = None, kind: str | None = None
) -> dict[str, int]:
    """Remove the given jobs, or all of one status, or all; running ones are skipped. Without
    ids, jobs of kinds keeping their own history are kept unless `kind` names one."""
    jobs: QuerySet[Job] = Job.objects.all()
    if ids is not None:
        jobs = jobs.filter(pk__in=list(ids))
        if kind is not None:
            jobs = jobs.filter(kind=kind)
    else:
        jobs = of_kind(jobs, kind)
    if status is not None:
        jobs = jobs.filter(status=status)
    skipped = jobs.filter(status=Job.Status.RUNNING).count()
    return {"removed": _deleted(jobs), "skipped_running": skipped}


class Skipped(TypedDict):
    id: int
    reason: str


@dataclass
class RetryReport:
    """What a retry did: the jobs put back to pending and the ones left as they were, with why."""

    retried: list[int] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.retried)

    def skip(self, pk: int, reason: str) -> None:
        self.skipped.append({"id": pk, "reason": reason})


RETRIABLE = Job.RETRIABLE
RETRY_CHUNK = 500


def retry(ids: Iterable[int] | None = None, all_errors: bool = False) -> RetryReport:
    """Put failed or cancelled jobs back to pending with fresh attempts.

    Only one job per dedup key may be active, so a job whose key an active job holds is
    skipped, and of several chosen jobs sharing a key only the newest is retried; the report
    says which were skipped and why (named ids that are missing or not retriable too)."""
    wanted = None if ids is None else list(dict.fromkeys(ids))
    statuses = [Job.Status.ERROR] if all_errors else list(RETRIABLE)
    jobs = Job.objects.filter(status__in=statuses)
    if wanted is not None:
        jobs = jobs.filter(pk__in=wanted)
    report = RetryReport()
    chosen = _choose(jobs, report)
    if wanted is not None:
        _explain_unchosen(wanted, report, set(chosen))
    for start in range(0, len(chosen), RETRY_CHUNK):
        _reset(chosen[start : start + RETRY_CHUNK], report)
    if report.retried:
        wake_on_commit()
        events.emit_queue_status(force=True)
    return report


def _choose(jobs: QuerySet[Job], report: RetryReport) -> list[int]:
    """The ids to retry: newest first, one per dedup key, none whose key is already active."""
    active = dict(
        Job.objects.filter(status__in=Job.ACTIVE)
        .exclude(dedup_key="")
        .values_list("dedup_key", "pk")
    )
    chosen: list[int] = []
    taken: dict[str, int] = {}
    for pk, key in jobs.order_by("-pk").values_list("pk", "dedup_key").iterator():
        if key and key in active:
            report.skip(pk, f"job {active[key]} for the same work is already pending or running")
        elif key and key in taken:
            report.skip(pk, f"job {taken[key]} for the same work is retried instead")
        else:
            if key:
                taken[key] = pk
            chosen.append(pk)
    return chosen


def _explain_unchosen(wanted: list[int], report: RetryReport, chosen: set[int]) -> None:
    explained = chosen | {entry["id"] for entry in report.skipped}
    missing = [pk for pk in wanted if pk not in explained]
    statuses = dict(Job.objects.filter(pk__in=missing).values_list("pk", "status"))
    for pk in missing:
        if pk not in statuses:
            report.skip(pk, "no such job")
        else:
            report.skip(pk, f"the job is {statuses[pk]}; only error or cancelled jobs are retried")


def _reset(ids: list[int], report: RetryReport) -> None:
    """Reset a chunk in one update; should another process have queued the same work since
    (the unique active key refuses the update), go one by one and skip the colliding jobs."""
    try:
        with transaction.atomic():
            rows = Job.objects.filter(pk__in=ids, status__in=RETRIABLE)
            done = list(rows.values_list("pk", flat=True))
            Job.objects.filter(pk__in=done).reset_for_retry()
        report.retried.extend(done)
        return
    except IntegrityError:
        pass
    for pk in ids:
        try:
            with transaction.atomic():
                updated = Job.objects.filter(pk=pk).reset_for_retry()
        except IntegrityError:
            report.skip(pk, "a job for the same work was queued meanwhile")
            continue
        if updated:
            report.retried.append(pk)


def cancel(ids: Iterable[int], reason: str = "Cancelled") -> dict[str, int]:
    """Cancel pending jobs at once; flag running ones to stop at their next check. `reason`
    becomes the job's message (a running job keeps it when its runner stops)."""
    ids = list(ids)
    cancelled = Job.objects.filter(pk__in=ids).cancel_pending(reason)
    flagged = Job.objects.filter(pk__in=ids).flag_running(reason)
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

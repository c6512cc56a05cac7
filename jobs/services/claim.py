"""Claiming: pick the best claimable job and take it with a conditional UPDATE.

Best = not paused, kind not held (`control.hold`), kind under its concurrency limit, due
(retry back-off over), then priority (high first), manual position, age. Claims are
serialised by locking the queue-control row (PostgreSQL) or by SQLite's IMMEDIATE write
transaction, so per-kind limits hold across workers and machines.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from jobs import registry
from jobs.models import Job, QueueControl

CLAIM_ORDER = ("-priority", "position", "created_at", "id")


def _locked_control() -> QueueControl:
    control = QueueControl.objects.select_for_update().filter(pk=1).first()
    return control or QueueControl.get()


def full_kinds() -> list[str]:
    running = Job.objects.filter(status=Job.Status.RUNNING).values_list("kind")
    counts = running.annotate(n=Count("id")).order_by()
    return [kind for kind, n in counts if n >= registry.concurrency_for(kind)]


def claimable() -> QuerySet[Job]:
    """Pending jobs that are due, in claim order (not counting concurrency limits)."""
    due = Q(run_after__isnull=True) | Q(run_after__lte=timezone.now())
    return Job.objects.filter(status=Job.Status.PENDING).filter(due).order_by(*CLAIM_ORDER)


def unavailable_kinds(control: QueueControl) -> list[str]:
    """Kinds not to claim now: held ones and those at their concurrency limit."""
    return [*(control.held_kinds or []), *full_kinds()]


def claim_next(worker_id: str) -> Job | None:
    """Take the best claimable job for `worker_id`, or None (paused, empty, all kinds full or
    held)."""
    with transaction.atomic():
        control = _locked_control()
        if control.paused:
            return None
        job = claimable().exclude(kind__in=unavailable_kinds(control)).first()
        if job is None:
            return None
        # The row is the one just read plus the claim's values: no need to read it back.
        return job if job.claim(worker_id) else None


def has_claimable() -> bool:
    control = QueueControl.get()
    if control.paused:
        return False
    return claimable().exclude(kind__in=unavailable_kinds(control)).exists()

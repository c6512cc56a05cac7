"""Listing jobs for people: the queue's filters and display order, and its summary."""

from __future__ import annotations

from django.db.models import Case, F, IntegerField, QuerySet, Value, When

from jobs.models import Job
from jobs.services import stats, workers
from jobs.subjects import Subject


def list_jobs(
    status: str | None = None, kind: str | None = None, subject: Subject | None = None
) -> QuerySet[Job]:
    """Jobs matching the filters, active work first (see `display_order`)."""
    jobs = Job.objects.all()
    if status:
        jobs = jobs.filter(status=status)
    if kind:
        jobs = jobs.filter(kind=kind)
    if subject is not None:
        jobs = jobs.for_subject(subject)
    return display_order(jobs)


def display_order(jobs: QuerySet[Job]) -> QuerySet[Job]:
    """Running, then pending in claim order, then finished jobs newest first."""
    rank = Case(
        When(status=Job.Status.RUNNING, then=Value(0)),
        When(status=Job.Status.PENDING, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return jobs.annotate(display_rank=rank).order_by(
        "display_rank",
        F("finished_at").desc(nulls_last=True),
        "-priority",
        "position",
        "created_at",
        "id",
    )


def queue_summary() -> dict:
    """The counts by status with their total, and the workers' state (queue summary APIs)."""
    status = stats.queue_status()
    total = (
        status["pending"]
        + status["running"]
        + status["completed"]
        + status["errors"]
        + status["cancelled"]
    )
    return {**status, "total": total, "worker": workers.cluster_summary()}

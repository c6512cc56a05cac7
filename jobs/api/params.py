"""Request parsing and response shapes shared by the queue API views (web and legacy)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from jobs.models import Job
from jobs.services import manage, stats, workers
from jobs.subjects import Subject
from nomarr_site.errors import ConflictError, ValidationFailed
from nomarr_site.integers import IdField, optional_query_int

MAX_IDS = 10_000
MAX_KIND_LENGTH = 100

COUNT = inline_serializer(
    "QueueOperation", {"count": serializers.IntegerField(), "status": serializers.CharField()}
)
RETRIED = inline_serializer(
    "QueueRetried",
    {
        "count": serializers.IntegerField(help_text="How many jobs went back to pending."),
        "retried": serializers.ListField(child=serializers.IntegerField()),
        "skipped": serializers.ListField(
            child=inline_serializer(
                "QueueRetrySkipped",
                {"id": serializers.IntegerField(), "reason": serializers.CharField()},
            ),
            help_text="Jobs left as they were, with why (e.g. the same work is already queued).",
        ),
        "status": serializers.CharField(),
    },
)
CANCELLED = inline_serializer(
    "QueueCancelled",
    {
        "cancelled": serializers.IntegerField(),
        "flagged": serializers.IntegerField(),
        "status": serializers.CharField(),
    },
)
WORKERS = inline_serializer(
    "WorkerState",
    {
        "status": serializers.CharField(),
        "alive": serializers.BooleanField(),
        "paused": serializers.BooleanField(),
        "clusters": serializers.IntegerField(),
        "details": serializers.ListField(child=serializers.DictField()),
    },
)
SUMMARY = inline_serializer(
    "QueueSummary",
    {
        "pending": serializers.IntegerField(),
        "running": serializers.IntegerField(),
        "completed": serializers.IntegerField(),
        "errors": serializers.IntegerField(),
        "cancelled": serializers.IntegerField(),
        "total": serializers.IntegerField(),
        "avg_time": serializers.FloatField(allow_null=True),
        "eta": serializers.FloatField(allow_null=True),
        "paused": serializers.BooleanField(),
        "worker": WORKERS,
    },
)


class IdsSerializer(serializers.Serializer):
    job_ids = serializers.ListField(child=IdField(), max_length=MAX_IDS, required=False)
    all_errors = serializers.BooleanField(required=False, default=False)


class ReorderSerializer(serializers.Serializer):
    job_ids = serializers.ListField(child=IdField(), min_length=1, max_length=MAX_IDS)
    where = serializers.ChoiceField(choices=["top", "bottom"], default="top")


def optional_id(params: Mapping, name: str) -> int | None:
    """A positive integer id from the query string, or None when it is absent."""
    return optional_query_int(params, name)


# `?track_id=N` predates subjects; it stays as another way to write `?subject=library.track:N`.
SUBJECT_ALIASES = {"track_id": "library.track"}


def subject_filter(params: Mapping) -> Subject | None:
    """`?subject=<type>:<id>` (or an alias such as `?track_id=<id>`), or None when absent."""
    given = [name for name in ("subject", *SUBJECT_ALIASES) if params.get(name) not in (None, "")]
    if len(given) > 1:
        raise ValidationFailed(
            f"give one of {', '.join(given)}, not several", details={"field": given[0]}
        )
    if not given:
        return None
    if given[0] in SUBJECT_ALIASES:
        pk = optional_id(params, given[0])
        return None if pk is None else Subject(SUBJECT_ALIASES[given[0]], pk)
    try:
        return Subject.parse(params["subject"])
    except ValueError as exc:
        raise ValidationFailed(f"subject: {exc}", details={"field": "subject"}) from None


def kind_filter(params: Mapping) -> str | None:
    kind = params.get("kind")
    if not kind:
        return None
    # PostgreSQL refuses NUL in text (a 500); no kind name is that long or holds one.
    if "\x00" in kind or len(kind) > MAX_KIND_LENGTH:
        raise ValidationFailed(f"kind is not a job kind: {kind[:40]!r}", details={"field": "kind"})
    return kind


def status_filter(params: Mapping) -> str | None:
    status = params.get("status")
    if not status:
        return None
    if status not in Job.Status.values:
        allowed = ", ".join(Job.Status.values)
        raise ValidationFailed(f"status must be one of {allowed}, got {status!r}")
    return status


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


def ids_body(data, allow_all: bool = False) -> dict:
    body = IdsSerializer(data=data if isinstance(data, Mapping) else {"job_ids": data})
    body.is_valid(raise_exception=True)
    values = body.validated_data
    if "job_ids" not in values and not (allow_all and values.get("all_errors")):
        wanted = "job_ids or all_errors=true" if allow_all else "job_ids"
        raise ValidationFailed(f"Give {wanted}")
    return values


def retried(report: manage.RetryReport) -> dict:
    return {
        "count": report.count,
        "retried": report.retried,
        "skipped": report.skipped,
        "status": "success",
    }


def require_status(job: Job, allowed: Iterable[str], action: str) -> None:
    allowed = list(allowed)
    if job.status not in allowed:
        raise ConflictError(
            f"Job {job.pk} is {job.status}; only {' or '.join(allowed)} jobs can be {action}"
        )


def summary() -> dict:
    status = stats.queue_status()
    total = sum(status[k] for k in ("pending", "running", "completed", "errors", "cancelled"))
    return {**status, "total": total, "worker": workers.cluster_summary()}

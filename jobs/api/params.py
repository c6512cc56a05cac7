"""Request parsing for the queue API views (web and legacy): query filters and bodies."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rest_framework import serializers

from jobs.models import Job
from jobs.subjects import Subject
from nomarr_site.errors import ConflictError, ValidationFailed
from nomarr_site.integers import IdField, optional_query_int

MAX_IDS = 10_000
MAX_KIND_LENGTH = 100


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


def ids_body(data, allow_all: bool = False) -> dict:
    body = IdsSerializer(data=data if isinstance(data, Mapping) else {"job_ids": data})
    body.is_valid(raise_exception=True)
    values = body.validated_data
    if "job_ids" not in values and not (allow_all and values.get("all_errors")):
        wanted = "job_ids or all_errors=true" if allow_all else "job_ids"
        raise ValidationFailed(f"Give {wanted}")
    return values


def require_status(job: Job, allowed: Iterable[str], action: str) -> None:
    allowed = list(allowed)
    if job.status not in allowed:
        raise ConflictError(
            f"Job {job.pk} is {job.status}; only {' or '.join(allowed)} jobs can be {action}"
        )

"""Enqueueing: create the `Job` row, then hand work to the broker when the transaction commits."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction

from jobs import registry
from jobs.models import Job
from jobs.services import events

if TYPE_CHECKING:
    from library.models import Library, Track

logger = logging.getLogger(__name__)


def parse_priority(priority: str | int) -> int:
    """'LOW'/'NORMAL'/'HIGH' (any case) or 0/1/2 → the stored integer; ValueError otherwise."""
    if isinstance(priority, int) and priority in Job.Priority.values:
        return priority
    if isinstance(priority, str) and priority.upper() in Job.Priority.labels:
        return Job.Priority[priority.upper()].value
    names = ", ".join(Job.Priority.labels)
    raise ValueError(f"priority must be one of {names}, got {priority!r}")


def active_duplicate(dedup_key: str) -> Job | None:
    return Job.objects.filter(dedup_key=dedup_key, status__in=Job.ACTIVE).first()


def enqueue(
    kind: str,
    *,
    payload: dict[str, Any] | None = None,
    path: str = "",
    library: Library | None = None,
    track: Track | None = None,
    priority: str | int = "NORMAL",
    force: bool = False,
    dedup_key: str | None = None,
) -> Job:
    """Queue a job of `kind`; with `dedup_key`, return the pending/running job that has it."""
    if not registry.KIND_PATTERN.match(kind or ""):
        raise ValueError(f"invalid job kind {kind!r}")
    if payload is not None and not isinstance(payload, dict):
        raise TypeError("payload must be a dict")
    spec = registry.get(kind)
    fields = {
        "kind": kind,
        "payload": payload or {},
        "path": path or "",
        "library": library,
        "track": track,
        "priority": parse_priority(priority),
        "force": force,
        "dedup_key": dedup_key or "",
        "max_attempts": spec.max_attempts if spec else 1,
    }
    if dedup_key:
        existing = active_duplicate(dedup_key)
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                job = Job.objects.create(**fields)
        except IntegrityError:
            # Lost a race with another enqueue of the same key: theirs is the job.
            existing = active_duplicate(dedup_key)
            if existing is None:
                raise
            return existing
    else:
        job = Job.objects.create(**fields)
    from jobs.transport import wake_on_commit

    wake_on_commit()
    transaction.on_commit(lambda: _announce(job))
    return job


def _announce(job: Job) -> None:
    events.emit_job(job)
    events.emit_queue_status()

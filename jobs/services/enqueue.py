"""Enqueueing: create the `Job` row, then hand work to the broker when the transaction commits.

Apps do not call `enqueue` for their own kinds from views or services: each kind's app has one
helper (`library.scanning.scan_job.queue_scan`, `library.tagging.tag_job.queue_tag`) that
builds the kind's payload; `enqueue` checks it against the registered type and derives the
dedup key and subject.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction

from jobs import registry
from jobs.models import Job
from jobs.services import events
from jobs.subjects import Subject
from jobs.transport import wake_on_commit

logger = logging.getLogger(__name__)

# A merging kind's second active slot: the follow-up queued while its job runs.
FOLLOW_UP = "+next"
COALESCE_TRIES = 5


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
    payload: Mapping[str, Any] | None = None,
    path: str = "",
    subject: Subject | None = None,
    priority: str | int = "NORMAL",
    force: bool = False,
    dedup_key: str | None = None,
) -> Job:
    """Queue a job of `kind`; with a dedup key, return the pending/running job that has it.

    A registered kind's payload is checked against its type, and its dedup key and subject
    (unless given) come from the kind; a kind with its own dedup key accepts no other."""
    if not registry.KIND_PATTERN.match(kind or ""):
        raise ValueError(f"invalid job kind {kind!r}")
    if payload is not None and not isinstance(payload, Mapping):
        raise TypeError("payload must be a dict")
    data = dict(payload or {})
    spec = registry.get(kind)
    if spec is not None:
        spec.check_payload(data)
        if spec.dedup_key is not None:
            if dedup_key is not None:
                raise ValueError(f"the {kind} kind derives its own dedup key")
            dedup_key = spec.dedup_key(data)
        if subject is None and spec.subject is not None:
            subject = spec.subject(data)
    fields = {
        "kind": kind,
        "payload": data,
        "path": path or "",
        "subject_type": subject.type if subject else "",
        "subject_id": subject.id if subject else None,
        "priority": parse_priority(priority),
        "force": force,
        "dedup_key": dedup_key or "",
        "max_attempts": spec.max_attempts if spec else 1,
    }
    if not dedup_key:
        job = Job.objects.create(**fields)
    elif spec is not None and spec.merge is not None:
        job, created = _coalesce(fields, spec.merge)
        if not created:
            return job
    else:
        existing = active_duplicate(dedup_key)
        if existing is not None:
            return existing
        created_job = _create(fields)
        if created_job is None:
            # Lost a race with another enqueue of the same key: theirs is the job.
            existing = active_duplicate(dedup_key)
            if existing is None:
                raise RuntimeError(f"job {dedup_key!r} collided with a job that went away")
            return existing
        job = created_job

    wake_on_commit()
    transaction.on_commit(lambda: _announce(job))
    return job


def _create(fields: dict[str, Any]) -> Job | None:
    """The new row, or None when an active job holds its dedup key (the unique constraint)."""
    try:
        with transaction.atomic():
            return Job.objects.create(**fields)
    except IntegrityError:
        return None


def _coalesce(fields: dict[str, Any], merge: registry.MergePayloads) -> tuple[Job, bool]:
    """Queue work of a kind that merges requests: fold it into the pending job of its key;
    else reuse the running one if that already does all of it; else queue it, as the
    follow-up of the running job (the key's second slot). Returns (job, created)."""
    key = fields["dedup_key"]
    slots = [key, key + FOLLOW_UP]
    wanted = fields["payload"]
    for _ in range(COALESCE_TRIES):
        active = list(Job.objects.filter(dedup_key__in=slots).active().order_by("pk"))
        pending = [job for job in active if job.status == Job.Status.PENDING]
        if pending:
            job = pending[0]
            if job.merge_payload(lambda current: merge(current, wanted)):
                return job, False
            continue  # a worker claimed it meanwhile: look again
        for job in active:  # running
            if merge(job.payload, wanted) == job.payload:
                return job, False
        held = {job.dedup_key for job in active}
        free = next((slot for slot in slots if slot not in held), None)
        if free is None:  # both slots running (concurrency above 1): the newer one will do
            return active[-1], False
        created = _create({**fields, "dedup_key": free})
        if created is not None:
            return created, True
    raise RuntimeError(f"could not queue {key!r}: the queue kept changing under the request")


def _announce(job: Job) -> None:
    events.emit_job(job)
    events.emit_queue_status()

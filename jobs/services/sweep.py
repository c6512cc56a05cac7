"""The stuck-job sweep: jobs whose worker died go back to `pending` (or `error` after their
last attempt), tokens are topped up so pending work never starves, and the system's health is
announced to the `system` room when it changes (and once a minute)."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from jobs import conf
from jobs.models import Job
from jobs.services import events
from jobs.services.claim import claimable, full_kinds
from jobs.services.control import is_paused
from jobs.transport import top_up
from nomarr_site.events.state import system_health

logger = logging.getLogger(__name__)

HEALTH_INTERVAL_SECONDS = 60.0
_last_health: dict = {"status": None, "sent": 0.0}


def stuck_jobs(stale_seconds: float | None = None) -> QuerySet[Job]:
    seconds = conf.stale_seconds() if stale_seconds is None else stale_seconds
    limit = timezone.now() - timedelta(seconds=seconds)
    lost = Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True, started_at__lt=limit)
    return Job.objects.filter(status=Job.Status.RUNNING).filter(lost)


def requeue_stuck(stale_seconds: float | None = None) -> dict[str, int]:
    """Return orphaned running jobs to pending, or end them after max attempts (`failed`
    counts those, and the ones whose cancel no runner is left to see)."""
    requeued = failed = 0
    for job in stuck_jobs(stale_seconds):
        if not job.requeue_stale():
            continue
        if job.status == Job.Status.PENDING:
            requeued += 1
        else:
            failed += 1
        logger.warning("Job %s (%s) lost its worker; now %s", job.pk, job.kind, job.status)
        events.emit_job(job)
    if requeued or failed:
        events.emit_queue_status(force=True)
    return {"requeued": requeued, "failed": failed}


def requeue_jobs_of(worker_ids: set[str]) -> int:
    """Return the running jobs of these workers, stopped with their cluster, at once (the
    stale-job sweep would a minute later, spending an attempt); returns how many it returned
    or ended."""
    returned = 0
    for job in Job.objects.filter(status=Job.Status.RUNNING, worker_id__in=worker_ids):
        if job.requeue_interrupted():
            returned += 1
            logger.warning("Job %s (%s) was interrupted; now %s", job.pk, job.kind, job.status)
            events.emit_job(job)
    if returned:
        events.emit_queue_status(force=True)
    return returned


def top_up_tokens() -> int:
    """Make sure enough tokens wait in the broker for the claimable jobs."""
    if is_paused():
        return 0
    wanted = claimable().exclude(kind__in=full_kinds()).count()
    return top_up(wanted) if wanted else 0


def announce_health() -> bool:
    """Emit `system.health` when the status changed since the last one, or a minute passed."""
    health = system_health()
    now = time.monotonic()
    changed = health["status"] != _last_health["status"]
    if not changed and now - _last_health["sent"] < HEALTH_INTERVAL_SECONDS:
        return False
    _last_health["status"], _last_health["sent"] = health["status"], now
    events.emit_health(health)
    return True

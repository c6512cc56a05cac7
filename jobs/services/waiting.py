"""Why pending jobs are not running yet, in a sentence per kind, for the queue page: the
workers are paused, no worker is running, the kind is on hold, the kind is at its concurrency
limit, or they are next for a free worker. Read from the same state the claim reads (`claim.py`)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count

from jobs import registry
from jobs.models import Job
from jobs.services.control import held_kinds, is_paused
from jobs.services.workers import cluster_summary

PAUSED = "Waiting: the workers are paused (Resume starts them)."
NO_WORKER = "Waiting: no worker is running (nom serve starts them, or nom qcluster)."
NEXT = "Waiting for a free worker."


def waiting_reasons(kinds: Iterable[str]) -> dict[str, str]:
    """Kind → why its pending jobs wait now. One reason for all kinds when the whole queue
    is stopped (paused, no worker); else the kinds at their limit say so."""
    wanted = sorted(set(kinds))
    if not wanted:
        return {}
    if is_paused():
        return dict.fromkeys(wanted, PAUSED)
    if not cluster_summary().get("alive"):
        return dict.fromkeys(wanted, NO_WORKER)
    running = dict(
        Job.objects.filter(status=Job.Status.RUNNING, kind__in=wanted)
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    reasons = {}
    held = set(held_kinds())
    for kind in wanted:
        if kind in held:
            reasons[kind] = f"Waiting: the {kind} queue is stopped (start it to go on)."
            continue
        limit = registry.concurrency_for(kind)
        if running.get(kind, 0) >= limit:
            reasons[kind] = (
                f"Waiting: {limit} {kind} job{'s' if limit != 1 else ''} already running, the "
                f"most at once (NOMARR_CONCURRENCY_{kind.upper()} changes it)."
            )
        else:
            reasons[kind] = NEXT
    return reasons

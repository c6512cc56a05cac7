"""Transport on django-q2: the broker carries interchangeable tokens, not specific jobs.

A token (`work_one`) claims the best claimable job, runs it, and keeps claiming until nothing is
claimable or its time budget is spent, then hands over to a fresh token. Duplicate or extra
tokens are harmless; priority is decided at claim time; the sweep tops tokens up.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django_q.brokers import get_broker
from django_q.tasks import async_task

from jobs import conf, stopping
from jobs.runner import execute
from jobs.services import claim, workers

logger = logging.getLogger(__name__)

TOKEN_FUNC = "jobs.transport.work_one"  # noqa: S105 - a dotted path, not a secret
_scheduled: set[int] = set()


def work_one() -> int:
    """Broker task: run claimable jobs in this worker process until its cluster stops; returns
    how many ran."""
    deadline = time.monotonic() + conf.token_budget_seconds()
    me = workers.current_worker()
    ran = 0
    while not stopping.requested():
        job = claim.claim_next(me.worker_id)
        if job is None:
            break
        workers.set_current_job(job)
        execute(job)
        ran += 1
        if time.monotonic() > deadline:
            if claim.has_claimable():
                push_tokens(1)
            break
    if ran:
        workers.set_current_job(None)
    return ran


def waiting_tokens() -> int:
    """Tokens sitting in the broker, not yet taken by a cluster."""
    return get_broker().queue_size() or 0


def token_target() -> int:
    """Enough waiting tokens to keep every local worker busy."""
    cluster: dict[str, Any] = settings.Q_CLUSTER  # mixed values: the stubs infer object
    return int(cluster.get("workers", 1))


def push_tokens(count: int) -> int:
    """Put `count` tokens on the broker; a broker outage is logged, the sweep retries."""
    pushed = 0
    try:
        for _ in range(count):
            async_task(TOKEN_FUNC, save=False, task_name="nomarr-token")
            pushed += 1
    except Exception:
        logger.warning("Could not hand work to the broker; the sweep will retry", exc_info=True)
    return pushed


def top_up(wanted: int) -> int:
    """Push tokens until `min(wanted, workers)` wait in the broker; returns how many pushed."""
    try:
        missing = min(wanted, token_target()) - waiting_tokens()
    except Exception:
        logger.warning("Could not read the broker's queue size", exc_info=True)
        return 0
    return push_tokens(missing) if missing > 0 else 0


def wake_on_commit() -> None:
    """After the current transaction commits, make sure tokens wait for the new work.

    One check per transaction, however many jobs it enqueued (a scan may add thousands).
    """
    connection = transaction.get_connection()
    outermost = connection.atomic_blocks[0] if connection.atomic_blocks else None
    key = id(outermost)
    if outermost is not None and key in _scheduled:
        return
    _scheduled.add(key)

    def fire() -> None:
        _scheduled.discard(key)
        top_up(token_target())

    transaction.on_commit(fire)

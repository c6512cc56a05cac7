"""Queue timings: the values settings.py read once from the environment, and what follows
from them."""

from __future__ import annotations

from django.conf import settings


def stale_seconds() -> int:
    """A running job whose heartbeat is older than this is treated as orphaned."""
    return int(settings.JOB_STALE_SECONDS)


def heartbeat_seconds() -> float:
    """How often a running job and its worker write their heartbeat."""
    return max(0.5, stale_seconds() / 6)


def sweep_seconds() -> float:
    """How often a cluster's sweep thread runs (heartbeat, stuck jobs, token top-up)."""
    return float(settings.JOB_SWEEP_SECONDS)


def progress_interval() -> float:
    """Minimum seconds between two progress writes/events of one job (a few per second)."""
    return 0.25


def token_budget_seconds() -> float:
    """How long one broker token keeps claiming jobs before handing over to a fresh token."""
    return 60.0


def backoff_seconds(attempt: int) -> float:
    """Exponential retry back-off: 2, 4, 8 ... seconds, capped at five minutes."""
    base = int(settings.JOB_RETRY_BASE_SECONDS)
    return float(min(base * 2 ** max(0, attempt - 1), 300))

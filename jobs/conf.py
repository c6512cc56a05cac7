"""Queue timings, read from the environment at call time so tests and operators can tune them."""

from __future__ import annotations

from nomarr_site import env


def stale_seconds() -> int:
    """A running job whose heartbeat is older than this is treated as orphaned."""
    return env.get_int("NOMARR_JOB_STALE_SECONDS", 60, minimum=2, maximum=24 * 3600)


def heartbeat_seconds() -> float:
    """How often a running job and its worker write their heartbeat."""
    return max(0.5, stale_seconds() / 6)


def sweep_seconds() -> float:
    """How often a cluster's sweep thread runs (heartbeat, stuck jobs, token top-up)."""
    return float(env.get_int("NOMARR_SWEEP_SECONDS", 3, minimum=1, maximum=300))


def progress_interval() -> float:
    """Minimum seconds between two progress writes/events of one job (a few per second)."""
    return 0.25


def token_budget_seconds() -> float:
    """How long one broker token keeps claiming jobs before handing over to a fresh token."""
    return 60.0


def backoff_seconds(attempt: int) -> float:
    """Exponential retry back-off: 2, 4, 8 ... seconds, capped at five minutes."""
    base = env.get_int("NOMARR_RETRY_BASE_SECONDS", 2, minimum=0, maximum=3600)
    return float(min(base * 2 ** max(0, attempt - 1), 300))

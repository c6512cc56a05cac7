"""Hooks other apps register into: `cache_refresh` is called by POST /admin/cache/refresh;
`periodic` work is started by the cluster's sweep (jobs/cluster.py).

from jobs.hooks import register_cache_refresh
register_cache_refresh("tagging models", reload_models)   # a callable returning a message
"""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

_cache_refreshers: dict[str, Callable[[], str | None]] = {}


def register_cache_refresh(name: str, refresh: Callable[[], str | None]) -> None:
    _cache_refreshers[name] = refresh


def refresh_caches() -> dict:
    """Call every registered refresher; report what ran (an empty list: nothing to reload)."""
    results = []
    for name, refresh in list(_cache_refreshers.items()):
        try:
            message = refresh()
            results.append({"name": name, "status": "success", "message": message or ""})
        except Exception as exc:  # one broken cache must not hide the others' results
            results.append({"name": name, "status": "error", "message": str(exc)[:500]})
    return {"refreshed": results}


# Periodic work other apps ask the cluster's sweep to start (expiring media-server accounts):
# name -> (interval in seconds, callable). The sweep calls `run_due_periodic` each cycle; each
# callable should only queue a job (with a dedup key), so two clusters asking at once queue one.
_periodic: dict[str, tuple[float, Callable[[], object]]] = {}
_last_run: dict[str, float] = {}


def register_periodic(name: str, every_seconds: float, start: Callable[[], object]) -> None:
    _periodic[name] = (every_seconds, start)


def unregister_periodic(name: str) -> None:
    _periodic.pop(name, None)
    _last_run.pop(name, None)


def run_due_periodic(now: float) -> list[str]:
    """Call each periodic callable whose interval passed since its last call in this process
    (the first cycle calls them all); returns the names called. One failing does not stop
    the others."""
    called = []
    for name, (every, start) in list(_periodic.items()):
        last = _last_run.get(name)
        if last is not None and now - last < every:
            continue
        _last_run[name] = now
        try:
            start()
            called.append(name)
        except Exception:  # a broken hook must not stop the sweep
            logger.warning("Periodic %s failed", name, exc_info=True)
    return called

"""Hooks other apps register into: `cache_refresh` is called by POST /admin/cache/refresh.

from jobs.hooks import register_cache_refresh
register_cache_refresh("tagging models", reload_models)   # a callable returning a message
"""

from __future__ import annotations

from collections.abc import Callable

_cache_refreshers: dict[str, Callable[[], str | None]] = {}


def register_cache_refresh(name: str, refresh: Callable[[], str | None]) -> None:
    _cache_refreshers[name] = refresh


def unregister_cache_refresh(name: str) -> None:
    _cache_refreshers.pop(name, None)


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

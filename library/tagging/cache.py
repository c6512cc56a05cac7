"""Per-process cache of configured Essentia algorithms (and graphs compiled by OpenVINO), so a
worker loads each graph once; `clear()` drops them (`/admin/cache/refresh` after models change)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from library.tagging import essentia_loader

logger = logging.getLogger(__name__)

Factory = Callable[[str, dict[str, Any]], Callable[..., Any]]


def essentia_factory(algorithm: str, params: dict[str, Any]) -> Callable[..., Any]:
    """Instantiate `essentia.standard.<algorithm>(**params)` (Essentia loaded on first use)."""
    es = essentia_loader.standard()
    # essentia ships no type information, so the attribute is Any; every standard-mode
    # algorithm is a class whose instances are called on their inputs.
    algorithm_class: Callable[..., Callable[..., Any]] = getattr(es, algorithm)
    return algorithm_class(**params)


class AlgorithmCache:
    """Configured algorithms keyed by name, parameters and the graph's checksum."""

    def __init__(self, factory: Factory = essentia_factory) -> None:
        self._factory = factory
        self._items: dict[tuple, Any] = {}
        self._lock = threading.Lock()

    def get(self, algorithm: str, params: dict[str, Any], identity: str = "") -> Callable[..., Any]:
        """The cached algorithm, creating it on first use. `identity` (a checksum) makes a
        replaced graph file at the same path load afresh."""
        key = (algorithm, identity, tuple(sorted(params.items())))
        with self._lock:
            item = self._items.get(key)
            if item is None:
                logger.debug("loading %s %s", algorithm, params.get("graphFilename", ""))
                item = self._items[key] = self._factory(algorithm, params)
            return item

    def build(self, key: tuple, create: Callable[[], Any]) -> Any:
        """The item cached under `key`, made by `create()` on first use (another engine's
        compiled graphs share this cache, so `clear()` drops them too)."""
        with self._lock:
            if key not in self._items:
                self._items[key] = create()
            return self._items[key]

    def clear(self) -> int:
        """Forget every loaded algorithm; returns how many were dropped."""
        with self._lock:
            count = len(self._items)
            self._items.clear()
        return count

    def __len__(self) -> int:
        return len(self._items)


default_cache = AlgorithmCache()

"""The job-kind registry: apps register a runner class per kind with its limits.

    @register("tag", concurrency=os.cpu_count(), max_attempts=3)
    class TagRunner(JobRunner):
        def run(self) -> dict | None: ...

Concurrency (jobs of a kind running at once, across all workers) can be overridden with the
environment variable `NOMARR_CONCURRENCY_<KIND>` (e.g. `NOMARR_CONCURRENCY_DOWNLOAD=4`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nomarr_site import env

if TYPE_CHECKING:
    from jobs.runner import JobRunner

KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
DEFAULT_CONCURRENCY = 1


@dataclass(frozen=True)
class KindSpec:
    kind: str
    runner: type[JobRunner]
    concurrency: int
    max_attempts: int

    def effective_concurrency(self) -> int:
        return concurrency_for(self.kind, self.concurrency)


_KINDS: dict[str, KindSpec] = {}


def register(
    kind: str, *, concurrency: int = 1, max_attempts: int = 3
) -> Callable[[type[JobRunner]], type[JobRunner]]:
    """Class decorator registering a `JobRunner` subclass for `kind`."""
    if not KIND_PATTERN.match(kind):
        raise ValueError(f"job kind must match {KIND_PATTERN.pattern}, got {kind!r}")
    if concurrency < 1 or max_attempts < 1:
        raise ValueError("concurrency and max_attempts must be at least 1")

    def decorator(cls: type[JobRunner]) -> type[JobRunner]:
        existing = _KINDS.get(kind)
        if existing is not None and existing.runner.__qualname__ != cls.__qualname__:
            raise ValueError(f"job kind {kind!r} is already registered by {existing.runner}")
        _KINDS[kind] = KindSpec(kind, cls, concurrency, max_attempts)
        cls.kind = kind
        return cls

    return decorator


def unregister(kind: str) -> None:
    """Remove a kind (tests; a kind removed from the code behaves the same way)."""
    _KINDS.pop(kind, None)


def get(kind: str) -> KindSpec | None:
    return _KINDS.get(kind)


def kinds() -> dict[str, KindSpec]:
    return dict(_KINDS)


def concurrency_for(kind: str, default: int | None = None) -> int:
    """The limit for `kind`: environment override, else the registered value, else 1."""
    if default is None:
        spec = _KINDS.get(kind)
        default = spec.concurrency if spec else DEFAULT_CONCURRENCY
    return env.get_int(f"NOMARR_CONCURRENCY_{kind.upper()}", default, minimum=1, maximum=1024)

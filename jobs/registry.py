"""The job-kind registry: apps register a runner class per kind with its limits, its payload
type, its dedup key and its subject.

    class TagPayload(TypedDict):
        path: str

    @register("tag", concurrency=os.cpu_count(), max_attempts=3, payload=TagPayload,
              dedup_key=lambda p: f"tag:{p['path']}", subject=subject_of_tag)
    class TagRunner(JobRunner):
        def run(self) -> dict | None: ...

`enqueue` checks a payload against the kind's TypedDict (required keys present, no others) and
derives the dedup key and the subject from it, so a kind has one payload and one key however
it is queued. A kind with `merge` folds a second request for the same key into the pending
job instead of dropping what it asks for more (a scan asked again with "then tag everything").

Concurrency (jobs of a kind running at once, across all workers of all machines) is a number,
`EVERY_WORKER`, or a callable read at each claim (a setting a person can change while the
workers run); the environment variable `NOMARR_CONCURRENCY_<KIND>` (e.g.
`NOMARR_CONCURRENCY_DOWNLOAD=4`) overrides either.

A kind registered with `own_history=True` is listed by its app as that app's history (the
download queue's items): the queue's bulk clears, removals by status and cleanups leave its jobs
alone unless asked for that kind by name (`manage.clear(..., kind=...)`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jobs.subjects import Subject
from nomarr_site import env

if TYPE_CHECKING:
    from jobs.runner import JobRunner

KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
DEFAULT_CONCURRENCY = 1
# No limit across the deployment: each worker process runs one job at a time, so a kind
# registered with this runs on every worker of every machine (the highest override too).
EVERY_WORKER = 1024

DedupKey = Callable[[Mapping[str, Any]], str]
SubjectOf = Callable[[Mapping[str, Any]], Subject | None]
# (queued payload, new request's payload) -> the payload doing both; equal to the first when
# the queued job already does all the request asks.
MergePayloads = Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, Any]]
Concurrency = int | Callable[[], int]


@dataclass(frozen=True)
class KindSpec:
    kind: str
    runner: type[JobRunner]
    concurrency: Concurrency
    max_attempts: int
    payload: type | None = None  # a TypedDict
    dedup_key: DedupKey | None = None
    subject: SubjectOf | None = None
    merge: MergePayloads | None = None
    own_history: bool = False

    def registered_concurrency(self) -> int:
        """The registered limit now (a callable's current value), at least 1."""
        value = self.concurrency() if callable(self.concurrency) else self.concurrency
        return max(1, int(value))

    def check_payload(self, payload: Mapping[str, Any]) -> None:
        """ValueError unless `payload` has the TypedDict's required keys and no other."""
        if self.payload is None:
            return
        required: frozenset[str] = getattr(self.payload, "__required_keys__", frozenset())
        allowed = required | getattr(self.payload, "__optional_keys__", frozenset())
        missing = sorted(required - payload.keys())
        unknown = sorted(payload.keys() - allowed)
        if missing or unknown:
            raise ValueError(
                f"{self.kind} payload: missing {missing or 'nothing'}, unknown {unknown or 'none'}"
            )


_KINDS: dict[str, KindSpec] = {}


def register(
    kind: str,
    *,
    concurrency: Concurrency = 1,
    max_attempts: int = 3,
    payload: type | None = None,
    dedup_key: DedupKey | None = None,
    subject: SubjectOf | None = None,
    merge: MergePayloads | None = None,
    own_history: bool = False,
) -> Callable[[type[JobRunner]], type[JobRunner]]:
    """Class decorator registering a `JobRunner` subclass for `kind`."""
    if not KIND_PATTERN.match(kind):
        raise ValueError(f"job kind must match {KIND_PATTERN.pattern}, got {kind!r}")
    if (not callable(concurrency) and concurrency < 1) or max_attempts < 1:
        raise ValueError("concurrency and max_attempts must be at least 1")

    def decorator(cls: type[JobRunner]) -> type[JobRunner]:
        existing = _KINDS.get(kind)
        if existing is not None and existing.runner.__qualname__ != cls.__qualname__:
            raise ValueError(f"job kind {kind!r} is already registered by {existing.runner}")
        _KINDS[kind] = KindSpec(
            kind, cls, concurrency, max_attempts, payload, dedup_key, subject, merge, own_history
        )
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


def own_history_kinds() -> list[str]:
    """Kinds whose finished jobs their app keeps as history (see the module docstring)."""
    return sorted(kind for kind, spec in _KINDS.items() if spec.own_history)


def concurrency_for(kind: str, default: int | None = None) -> int:
    """The limit for `kind`: environment override, else the registered value, else 1."""
    if default is None:
        spec = _KINDS.get(kind)
        default = spec.registered_concurrency() if spec else DEFAULT_CONCURRENCY
    return env.get_int(f"NOMARR_CONCURRENCY_{kind.upper()}", default, minimum=1, maximum=1024)

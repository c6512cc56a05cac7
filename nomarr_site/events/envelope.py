"""The event envelope {"type": "<area>.<event>", "timestamp", "data"} and the typed data of each
event, with the room it belongs to and its names on the WebSocket and SSE transports."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

from django.core.serializers.json import DjangoJSONEncoder

from nomarr_site.timefmt import utc_iso

ROOMS = ("queue", "downloads", "library", "system")


class Envelope(TypedDict):
    type: str
    timestamp: str
    data: dict[str, Any]


class JobEventData(TypedDict):
    """`queue.job`: one job changed state or made progress."""

    id: int
    status: str  # pending, running, done, error, cancelled
    kind: NotRequired[str]
    path: NotRequired[str | None]
    error: NotRequired[str | None]
    progress: NotRequired[float | None]  # fraction 0..1
    message: NotRequired[str]
    counters: NotRequired[dict[str, int]]
    speed: NotRequired[float | None]
    eta: NotRequired[float | None]  # seconds
    worker: NotRequired[str | None]
    started_at: NotRequired[str | None]
    finished_at: NotRequired[str | None]


class QueueStatusData(TypedDict):
    """`queue.status`: the queue's counts; avg_time and eta in seconds (None when unknown)."""

    pending: int
    running: int
    completed: int
    errors: int
    avg_time: float | None
    eta: float | None
    cancelled: NotRequired[int]  # the jobs app counts them; the fallback counts do not
    paused: NotRequired[bool]


class QueueStateData(TypedDict):
    """`queue.started` / `queue.stopped`: the workers resumed or paused claiming jobs."""

    status: str
    message: NotRequired[str]


class WorkerStatusData(TypedDict):
    """`worker.status`: one worker process; component is "worker:<kind>:<n>"."""

    component: str
    status: str  # healthy, idle, busy, stopped, dead
    pid: int | None
    current_job: int | None


class SystemHealthData(TypedDict):
    """`system.health`: overall status with the problems found."""

    status: str  # healthy, degraded, unhealthy
    errors: list[str]


class ScanProgressData(TypedDict):
    """`library.scan_progress`."""

    library_id: int
    scanned: int
    total: int | None
    current_path: NotRequired[str | None]
    message: NotRequired[str]


class ScanCompleteData(TypedDict):
    """`library.scan_complete`."""

    library_id: int
    added: int
    updated: int
    removed: int
    errors: NotRequired[int]
    duration: NotRequired[float]


@dataclass(frozen=True)
class EventSpec:
    room: str
    ws_type: str  # the aniworld §9 message type where one fits
    sse_name: str  # the nomarr SSE event name; worker.status is named per component
    data: type


EVENTS: dict[str, EventSpec] = {
    "queue.job": EventSpec("queue", "job_update", "queue:jobs", JobEventData),
    "queue.status": EventSpec("queue", "queue_status", "queue:status", QueueStatusData),
    "queue.started": EventSpec("queue", "queue_started", "queue:started", QueueStateData),
    "queue.stopped": EventSpec("queue", "queue_stopped", "queue:stopped", QueueStateData),
    "worker.status": EventSpec("system", "worker_status", "worker:status", WorkerStatusData),
    "system.health": EventSpec("system", "system_info", "system:health", SystemHealthData),
    "library.scan_progress": EventSpec(
        "library", "scan_progress", "library:scan_progress", ScanProgressData
    ),
    "library.scan_complete": EventSpec(
        "library", "scan_complete", "library:scan_complete", ScanCompleteData
    ),
}


class _Encoder(DjangoJSONEncoder):
    """Dates, decimals and UUIDs as Django encodes them; anything else (paths) as its text."""

    def default(self, o: Any) -> Any:
        try:
            return super().default(o)
        except TypeError:
            return str(o)


def validate(room: str, event_type: str) -> None:
    """Refuse an unknown room, a malformed type, or a known type sent to the wrong room."""
    if room not in ROOMS:
        raise ValueError(f"unknown room {room!r}; rooms are {', '.join(ROOMS)}")
    area, _, name = event_type.partition(".")
    if not area or not name:
        raise ValueError(f"event type must be '<area>.<event>', got {event_type!r}")
    spec = EVENTS.get(event_type)
    if spec is not None and spec.room != room:
        raise ValueError(f"{event_type} events belong to room {spec.room!r}, not {room!r}")


def make(event_type: str, data: Mapping[str, Any]) -> Envelope:
    """Build an envelope whose data is plain JSON (so every transport can carry it)."""
    area, _, name = event_type.partition(".")
    if not area or not name:
        raise ValueError(f"event type must be '<area>.<event>', got {event_type!r}")
    stamp = utc_iso(timespec="milliseconds")
    plain = json.loads(json.dumps(data, cls=_Encoder))
    return {"type": event_type, "timestamp": stamp, "data": plain}


def ws_type(event_type: str) -> str:
    """The WebSocket message type of an event (`library.foo_bar` → `library_foo_bar`)."""
    spec = EVENTS.get(event_type)
    return spec.ws_type if spec else event_type.replace(".", "_")


def sse_name(envelope: Envelope) -> str:
    """The SSE event name: `queue:status`, `queue:jobs`, `worker:<kind>:<n>:status`, ..."""
    event_type = envelope["type"]
    if event_type == "worker.status":
        component = str(envelope["data"].get("component") or "worker")
        return f"{component}:status"
    spec = EVENTS.get(event_type)
    return spec.sse_name if spec else event_type.replace(".", ":")


# Every message type a WebSocket client can receive or send (for GET /ws/status).
CONTROL_MESSAGE_TYPES = ("connected", "ping", "pong", "room_joined", "room_left", "error")
SUPPORTED_MESSAGE_TYPES = tuple(
    dict.fromkeys([*(spec.ws_type for spec in EVENTS.values()), *CONTROL_MESSAGE_TYPES])
)

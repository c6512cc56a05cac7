"""The event envelope {"type": "<area>.<event>", "timestamp", "data"}, the typed data of each
event (`sender.py` lists the events), and the one rule that names an event on the WebSocket and
on SSE."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, NotRequired, TypedDict

from django.core.serializers.json import DjangoJSONEncoder

from nomarr_site.timefmt import utc_iso

ROOMS = ("queue", "downloads", "library", "system", "invitations")


class Envelope(TypedDict):
    type: str
    timestamp: str
    data: dict[str, Any]


class JobProgressData(TypedDict):
    """A job's progress: fraction 0..1, counters by name, items per second, seconds left."""

    fraction: float | None
    message: str
    counters: dict[str, int]
    speed: float | None
    eta: float | None


class JobData(TypedDict):
    """`queue.jobs`: one job changed state or made progress. The data is the job object the API
    lists (`jobs.serializers.job_json`), so a page shows an event's job as it shows a listed one."""

    id: int
    path: str
    status: str  # pending, running, done, error, cancelled
    started_at: str | None
    finished_at: str | None
    error_message: str | None
    force: bool
    kind: str
    priority: str  # the label: Low, Normal, High
    position: int
    progress: JobProgressData
    attempts: int
    max_attempts: int
    created_at: str
    library_id: int | None
    track_id: int | None
    cancel_requested: bool
    subject: NotRequired[str | None]  # the job's generic subject, e.g. "library.track:42"


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


class ScanCountsData(TypedDict):
    """A library scan's file counts so far."""

    scanned: int
    added: int
    updated: int
    unchanged: int
    moved: int
    removed: int
    errors: int


class ScanProgressData(ScanCountsData):
    """`scan.progress`: a library scan's progress (fraction 0..1); a series-library scan sends
    `SeriesScanProgressData` under the same name."""

    job_id: int
    library_id: int
    total: int
    fraction: float
    message: str


class ScanResultData(ScanCountsData):
    """What a library scan did: also the `scan` job's result."""

    library_id: int
    changed: int
    tag_jobs_queued: int
    temp_files_removed: int
    problems: list[dict[str, str]]  # {path, reason}


class ScanCompleteData(ScanResultData):
    """`scan.complete`: a library scan finished; duration in seconds."""

    job_id: int
    duration: float


class SeriesScanProgressData(TypedDict):
    """`scan.progress` of a series-library scan (`scope` "series"): series done of the total,
    fraction 0..1, and the series being scanned (its key)."""

    job_id: int
    scope: str  # "series"
    key: str
    done: int
    total: int
    fraction: float
    message: str


class SeriesScanCompleteData(TypedDict):
    """`scan.complete` of a series-library scan: series scanned, episodes present and missing,
    duration in seconds, and the series that could not be scanned ({key, reason})."""

    job_id: int
    scope: str  # "series"
    series: int
    present: int
    missing: int
    duration: float
    problems: list[dict[str, str]]


class DownloadEpisodeData(TypedDict):
    """The reference's Episode Identifier."""

    season: int
    episode: int
    title: str


class DownloadProgressData(TypedDict):
    """The reference's Download Progress: MiB, MiB per second, seconds (None when unknown)."""

    percent: float | None
    downloaded_mb: float
    total_mb: float | None
    speed_mbps: float | None
    eta_seconds: int | None


class DownloadItemData(TypedDict):
    """The reference's Download Item, as `GET /api/queue/status` lists it (`id` a UUID,
    `serie_id` the series key, `status` from `library.downloads.status`)."""

    id: str
    serie_id: str
    serie_folder: str
    serie_name: str
    episode: DownloadEpisodeData
    status: str  # pending, downloading, paused, completed, failed, cancelled
    priority: str  # LOW, NORMAL, HIGH
    added_at: str
    started_at: str | None
    completed_at: str | None
    progress: DownloadProgressData | None
    error: str | None
    retry_count: int
    source_url: str | None


class DownloadProgressEventData(TypedDict):
    """`download.progress`: the reference §9 example's fields plus the sizes."""

    download_id: str
    key: str
    folder: str
    percent: float | None
    speed_mbps: float | None
    eta_seconds: int | None
    downloaded_mb: float
    total_mb: float | None


class DownloadAddedData(TypedDict):
    """`download.added`: an item joined the queue (also when a retry queues it again)."""

    download_id: str
    key: str
    folder: str
    item: DownloadItemData


class DownloadRemovedData(TypedDict):
    """`download.removed`: items left the queue (a DELETE or a clear), by id."""

    download_ids: list[str]


class DownloadCompleteData(TypedDict):
    """`download.complete`: the episode's file is in place (its path inside the folder)."""

    download_id: str
    key: str
    folder: str
    season: int
    episode: int
    file: str


class DownloadFailedData(TypedDict):
    """`download.failed`: the item failed (no retry left, or not worth one)."""

    download_id: str
    key: str
    folder: str
    season: int
    episode: int
    error: str


class DownloadQueueStateData(TypedDict):
    """`download.queue_started` / `download.queue_stopped`: the download queue's own start/stop
    (not the workers' pause)."""

    status: str  # running, stopped
    message: str


class DownloadQueueStatusData(TypedDict):
    """`download.queue_status`: the download queue's state and statistics (no item lists)."""

    is_running: bool
    is_paused: bool
    statistics: dict[str, Any]


class InvitationData(TypedDict):
    """An invitation as `GET /api/invitations` lists it (`invitations.api.shapes`)."""

    id: int
    code: str
    status: str  # pending, used, expired
    created: str | None
    expires: str | None
    used_at: str | None
    used_by: str | None
    duration: str
    unlimited: bool
    specific_libraries: list[int] | None
    display_name: str
    server_names: list[str]
    uses_global_setting: bool


class MediaUserData(TypedDict):
    """A media-server account as `GET /api/users` lists it."""

    id: int
    username: str
    email: str
    server: str
    server_type: str
    expires: str | None
    created: str | None


class MediaServerData(TypedDict):
    """A media server as `GET /api/servers` lists it (never its credentials)."""

    id: int
    name: str
    server_type: str
    server_url: str
    external_url: str | None
    verified: bool
    allow_downloads: bool
    allow_live_tv: bool
    allow_mobile_uploads: bool
    created_at: str | None


class InvitationEventData(TypedDict):
    """`invitations.invitation`: an invitation was created, redeemed (on every server, or by
    one more person of a multi-use one) or deleted; `invitation` is None once deleted."""

    action: str  # created, redeemed, deleted
    id: int
    invitation: InvitationData | None


class MediaUserEventData(TypedDict):
    """`invitations.user`: an account was created (joining), extended, disabled by expiry or
    deleted (by a person or by expiry); `user` is None once deleted."""

    action: str  # created, extended, disabled, deleted
    id: int
    user: MediaUserData | None


class MediaServerEventData(TypedDict):
    """`invitations.server`: a server was added, verified, synced or removed; `server` is None
    once removed."""

    action: str  # added, verified, synced, removed
    id: int
    server: MediaServerData | None


# The one naming rule: an event `<area>.<event>` is `<area>_<event>` on the WebSocket and
# `<area>:<event>` on SSE. The references fix names the rule cannot give; these are the only
# exceptions: `system.health` is aniworld §9's `system_info` on the WebSocket; the download
# queue's state events are aniworld's `queue_started`, `queue_stopped` and `queue_status` (in room
# `downloads`; the workers' `queue.*` events of room `queue` carry the same WebSocket names, and a
# client tells them apart by room and data); and a `worker.status` is named per worker on SSE,
# `worker:<kind>:<n>:status` (Nomarr API reference).
WS_TYPE_EXCEPTIONS = {
    "system.health": "system_info",
    "download.queue_started": "queue_started",
    "download.queue_stopped": "queue_stopped",
    "download.queue_status": "queue_status",
}
PER_COMPONENT_SSE = "worker.status"  # SSE name `<data.component>:status`


class _Encoder(DjangoJSONEncoder):
    """Dates, decimals and UUIDs as Django encodes them; anything else (paths) as its text."""

    def default(self, o: Any) -> Any:
        try:
            return super().default(o)
        except TypeError:
            return str(o)


def make(event_type: str, data: Mapping[str, Any]) -> Envelope:
    """Build an envelope whose data is plain JSON (so every transport can carry it)."""
    area, _, name = event_type.partition(".")
    if not area or not name:
        raise ValueError(f"event type must be '<area>.<event>', got {event_type!r}")
    stamp = utc_iso(timespec="milliseconds")
    plain = json.loads(json.dumps(data, cls=_Encoder))
    return {"type": event_type, "timestamp": stamp, "data": plain}


def ws_type(event_type: str) -> str:
    """The WebSocket message type of an event: `queue.jobs` → `queue_jobs` (see the rule)."""
    return WS_TYPE_EXCEPTIONS.get(event_type) or event_type.replace(".", "_")


def sse_name(envelope: Envelope) -> str:
    """The SSE event name: `queue.jobs` → `queue:jobs`; a worker's `worker:<kind>:<n>:status`."""
    event_type = envelope["type"]
    if event_type == PER_COMPONENT_SSE:
        component = str(envelope["data"].get("component") or "worker")
        return f"{component}:status"
    return event_type.replace(".", ":")

"""Job kind `series_scan`: scans the series library (or some of its series) in a worker, with
`scan.progress` / `scan.complete` events (`scope: "series"`) in the `library` room.

`queue_series_scan` is the one way to queue it: payload `SeriesScanPayload` (`series_ids`
empty: every show folder, synced into the database first), dedup key
`series_scan:<all | sorted ids>` (a second request joins the queued scan, adding
`then_download`: queue the missing episodes for download afterwards), subject
`library.series:<id>` for a scan of one series.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, TypedDict

from jobs.models import Job
from jobs.registry import register
from jobs.runner import JobFailed, JobRunner
from jobs.services.enqueue import enqueue
from jobs.subjects import Subject
from library.downloads.items import queue_missing
from library.models import Series
from library.series.episodes import scan_series
from library.series.scan import NoSeriesDirectory, series_root, sync_folders
from library.subjects import SERIES
from media_meta.tmdb import TmdbClient, TmdbNotConfigured
from nomarr_site.events.sender import SCAN_COMPLETE, SCAN_PROGRESS

EVENT_SECONDS = 0.5


class _SeriesScanRequired(TypedDict):
    series_ids: list[int]  # empty: the whole series directory


class SeriesScanPayload(_SeriesScanRequired, total=False):
    # `total=False`, not NotRequired: string annotations would hide NotRequired from the
    # registry's payload check.
    then_download: bool  # queue the missing episodes once the scan is done


def merge_series_scans(queued: Mapping[str, Any], wanted: Mapping[str, Any]) -> dict[str, Any]:
    """A second request for the same scan joins the queued one; asking for the downloads too
    adds them (a scan never drops what an earlier request asked for)."""
    then_download = bool(queued.get("then_download")) or bool(wanted.get("then_download"))
    merged = {**queued}
    if then_download:
        merged["then_download"] = True
    return merged


def series_scan_key(payload: Mapping[str, Any]) -> str:
    ids = sorted(int(i) for i in payload.get("series_ids") or [])
    return "series_scan:" + (",".join(map(str, ids)) if ids else "all")


def series_scan_subject(payload: Mapping[str, Any]) -> Subject | None:
    ids = payload.get("series_ids") or []
    return Subject(SERIES, int(ids[0])) if len(ids) == 1 else None


def queue_series_scan(series: list[Series] | None = None, *, then_download: bool = False) -> Job:
    """Queue a scan of `series` (None: the whole series directory, its folders synced first),
    with `then_download` the download of the missing episodes after it; the same scan already
    pending joins this request."""
    payload: SeriesScanPayload = {"series_ids": sorted(s.pk for s in series or [])}
    if then_download:
        payload["then_download"] = True
    return enqueue("series_scan", payload=payload, path=str(series_root()))


@register(
    "series_scan",
    concurrency=1,
    max_attempts=1,
    payload=SeriesScanPayload,
    dedup_key=series_scan_key,
    subject=series_scan_subject,
    merge=merge_series_scans,
)
class SeriesScanRunner(JobRunner):
    """Syncs the show folders (a full scan), then scans each series: TMDB's episode list
    when a key is set, the files in its folder, the missing episodes that result."""

    def run(self) -> dict:
        try:
            root = series_root()
        except NoSeriesDirectory as exc:
            raise JobFailed(exc.message) from None
        if not root.is_dir():
            raise JobFailed(f"The series directory {root} does not exist or is not a folder")
        ids = self.payload.get("series_ids") or []
        if not ids:
            sync_folders(root)
        rows = Series.objects.filter(pk__in=ids) if ids else Series.objects.all()
        series = list(rows.order_by("name", "pk"))
        try:
            client: TmdbClient | None = TmdbClient.from_settings()
        except TmdbNotConfigured:
            client = None
        return self._scan_all(series, root, client)

    def _scan_all(self, series: list[Series], root: Any, client: TmdbClient | None) -> dict:
        started, last_event = time.monotonic(), 0.0
        present = missing = 0
        problems: list[dict[str, str]] = []
        for done, item in enumerate(series):
            self.check_cancelled()
            now = time.monotonic()
            if now - last_event >= EVENT_SECONDS:
                last_event = now
                self._announce(item, done, len(series))
            result = scan_series(item, root, client)
            present += result.present
            missing += len(result.missing)
            if result.problem:
                problems.append({"key": item.key, "reason": result.problem})
        self.progress(1.0, f"{len(series)} series scanned, {missing} episodes missing", force=True)
        SCAN_COMPLETE.send(
            {
                "job_id": self.job.pk,
                "scope": "series",
                "series": len(series),
                "present": present,
                "missing": missing,
                "duration": round(time.monotonic() - started, 3),
                "problems": problems[:100],
            }
        )
        summary = {"series": len(series), "present": present, "missing": missing}
        if self.payload.get("then_download"):
            summary["downloads_queued"] = self._queue_downloads(series)
        return {**summary, "problems": problems[:100]}

    def _queue_downloads(self, series: list[Series]) -> int:
        """The missing episodes of the scanned series that have a download source, queued."""
        queued = queue_missing(series)
        self.progress(1.0, f"{len(queued.added)} missing episodes queued for download", force=True)
        return len(queued.added)

    def _announce(self, item: Series, done: int, total: int) -> None:
        fraction = done / total if total else 0.0
        message = f"Scanning {item.name} ({done + 1} of {total})"
        self.progress(fraction, message, done=done, total=total)
        SCAN_PROGRESS.send(
            {
                "job_id": self.job.pk,
                "scope": "series",
                "key": item.key,
                "done": done,
                "total": total,
                "fraction": round(fraction, 4),
                "message": message,
            }
        )

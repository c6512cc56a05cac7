"""Job kind `download`: brings one queued episode (`DownloadItem`) into its series folder as
`Show - S01E02 - Title.ext` and marks the episode present, with `download.progress`,
`download.complete` and `download.failed` events in room `downloads`.

`queue_download` is the one way to queue it: payload `{item_id}`, dedup key
`download:<uuid>`, subject the series. How many run at once is the setting
`downloads_max_concurrent` (1-10), read at each claim. The kind keeps its own history
(`own_history`): the jobs queue's clears leave its jobs to the download queue.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any, TypedDict
from urllib.parse import urlsplit

from jobs.models import Job
from jobs.registry import register
from jobs.runner import Cancelled, JobFailed, JobRunner, RetryableError, error_text
from jobs.services.enqueue import enqueue
from jobs.subjects import Subject
from library.downloads import events as queue_events
from library.downloads import sources
from library.downloads.errors import DownloadError, DownloadStopped
from library.downloads.partfile import remove_partial
from library.downloads.progress import Progress
from library.downloads.request import DownloadRequest
from library.models import DownloadItem, Episode, Series
from library.series.naming import VIDEO_EXTENSIONS, episode_file_name
from library.series.scan import FolderUnusable, NoSeriesDirectory, folder_of, make_folder
from library.subjects import SERIES
from nomarr_site import config
from nomarr_site.domain import DomainError, Forbidden
from nomarr_site.events.sender import DOWNLOAD_COMPLETE, DOWNLOAD_FAILED, DOWNLOAD_PROGRESS

logger = logging.getLogger(__name__)

KIND = "download"
DEFAULT_EXTENSION = ".mkv"
STOP_CHECK_SECONDS = 0.5  # the cancel flag is read at most this often during a transfer


class DownloadPayload(TypedDict):
    item_id: str


def download_key(payload: Mapping[str, Any]) -> str:
    return f"download:{payload['item_id']}"


def download_subject(payload: Mapping[str, Any]) -> Subject | None:
    series_id = (
        DownloadItem.objects.filter(pk=payload["item_id"])
        .values_list("series_id", flat=True)
        .first()
    )
    return Subject(SERIES, series_id) if series_id else None


def max_concurrent() -> int:
    """Downloads at once: the setting, read when a worker claims (a change applies at once)."""
    return int(config.get("downloads_max_concurrent"))


def queue_download(item: DownloadItem, priority: str = "NORMAL") -> Job:
    payload: DownloadPayload = {"item_id": str(item.pk)}
    return enqueue(KIND, payload=payload, priority=priority)


def part_name(item: DownloadItem) -> str:
    return f".nomarr-{item.pk}.part"


def discard_partial(item: DownloadItem) -> None:
    """Remove what an earlier attempt of `item` left (the item left the queue); best effort:
    an unavailable series folder keeps it, a worker writing it keeps it."""
    try:
        remove_partial(folder_of(item.series), part_name(item))
    except (DomainError, OSError):
        logger.info("Partial download of %s left in place", item.pk)


def extension_of(url: str) -> str:
    """The video extension the URL's path ends in, else `.mkv`."""
    suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    return suffix if suffix in VIDEO_EXTENSIONS else DEFAULT_EXTENSION


def final_name(item: DownloadItem) -> str:
    series = item.series
    ext = extension_of(item.source_url)
    return episode_file_name(series.name, item.season, item.episode, item.title, ext)


@register(
    KIND,
    concurrency=max_concurrent,
    max_attempts=3,
    payload=DownloadPayload,
    dedup_key=download_key,
    subject=download_subject,
    own_history=True,
)
class DownloadRunner(JobRunner):
    """Downloads the item's source to a hidden part file in the series folder and renames it
    into place; a retryable failure goes back to the queue with the runner's back-off."""

    def run(self) -> dict:
        item = (
            DownloadItem.objects.select_related("series").filter(pk=self.payload["item_id"]).first()
        )
        if item is None:
            raise Cancelled("The download item was removed")
        self.item = item
        self._last_stop_check = 0.0
        self._stop = False
        try:
            return self._download(item)
        except (JobFailed, RetryableError) as exc:
            if isinstance(exc, JobFailed) or self.job.attempts >= self.job.max_attempts:
                self._failed(item, str(exc))
                raise JobFailed(str(exc)) from None
            raise
        except Cancelled:
            raise
        except Exception as exc:  # a bug: the runner records and logs it; the page hears of it
            self._failed(item, error_text(exc))
            raise

    def _folder(self, series: Series) -> Path:
        try:
            folder = folder_of(series)
            make_folder(folder)
        except (NoSeriesDirectory, Forbidden) as exc:
            raise JobFailed(exc.message) from None
        except FolderUnusable as exc:  # unmounted for now: worth another try later
            raise RetryableError(exc.message) from None
        return folder

    def _download(self, item: DownloadItem) -> dict:
        folder = self._folder(item.series)
        try:
            name = final_name(item)
        except ValueError as exc:
            raise JobFailed(f"No usable file name for this episode: {exc}") from None
        self.progress(0.0, f"Starting {name}", force=True)
        try:
            source = sources.source_for(item.source_url)
            request = DownloadRequest(
                item.source_url,
                folder,
                name,
                part_name(item),
                on_progress=self._on_progress,
                should_stop=self._should_stop,
            )
            path = source.download(request)
        except DownloadStopped:
            remove_partial(folder, part_name(item))  # cancelled: nothing to resume
            raise Cancelled(f"Download {item.pk} was cancelled") from None
        except DownloadError as exc:
            if exc.retryable:
                raise RetryableError(exc.message) from None
            raise JobFailed(exc.message) from None
        return self._finished(item, folder, Path(path))

    def _finished(self, item: DownloadItem, folder: Path, path: Path) -> dict:
        size = path.stat().st_size
        Episode.objects.update_or_create(
            series=item.series,
            season=item.season,
            number=item.episode,
            defaults={"path": str(path), "is_present": True},
        )
        Episode.objects.filter(
            series=item.series, season=item.season, number=item.episode, title=""
        ).update(title=item.title[:500])
        DownloadItem.objects.filter(pk=item.pk).update(
            file_path=str(path), downloaded_bytes=size, total_bytes=size, eta_seconds=0
        )
        relative = str(path.relative_to(folder))
        self.progress(1.0, f"Downloaded {relative}", force=True)
        DOWNLOAD_COMPLETE.send(
            {
                "download_id": str(item.pk),
                "key": item.series.key,
                "folder": item.series.folder,
                "season": item.season,
                "episode": item.episode,
                "file": relative,
            }
        )
        queue_events.queue_status()
        return {"item_id": str(item.pk), "file": relative, "bytes": size}

    def _on_progress(self, progress: Progress) -> None:
        numbers = progress.as_event()
        fraction = (numbers["percent"] or 0.0) / 100 if numbers["percent"] is not None else None
        message = f"{numbers['downloaded_mb']} of {numbers['total_mb'] or '?'} MiB"
        # The engine's last callback (all bytes in) always goes out: a page sees 100 %.
        final = progress.total is not None and progress.downloaded >= progress.total
        written = self.progress(
            fraction, message, speed=numbers["speed_mbps"], eta=numbers["eta_seconds"], force=final
        )
        if not written:
            return
        DownloadItem.objects.filter(pk=self.item.pk).update(
            downloaded_bytes=progress.downloaded,
            total_bytes=progress.total,
            speed_mbps=numbers["speed_mbps"],
            eta_seconds=numbers["eta_seconds"],
        )
        DOWNLOAD_PROGRESS.send(
            {
                "download_id": str(self.item.pk),
                "key": self.item.series.key,
                "folder": self.item.series.folder,
                **numbers,
            }
        )

    def _should_stop(self) -> bool:
        """The job's cancel flag (a removal from the queue), read every half second at most."""
        now = time.monotonic()
        if not self._stop and now - self._last_stop_check >= STOP_CHECK_SECONDS:
            self._last_stop_check = now
            self._stop = Job.objects.filter(pk=self.job.pk, cancel_requested=True).exists()
        return self._stop

    def _failed(self, item: DownloadItem, message: str) -> None:
        DOWNLOAD_FAILED.send(
            {
                "download_id": str(item.pk),
                "key": item.series.key,
                "folder": item.series.folder,
                "season": item.season,
                "episode": item.episode,
                "error": message,
            }
        )
        queue_events.queue_status()

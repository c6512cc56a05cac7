"""Job kind `nfo_batch`: creates the NFO and artwork of many series in a worker, one series
after another, with progress on the job (so the queue page and `queue:jobs` events follow it).

`queue_nfo_batch` is the one way to queue it: payload `NfoBatchPayload` (series keys, in the
order given), dedup key `nfo_batch:<digest of keys and options>`, subject
`library.series:<id>` when it is about one series.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, TypedDict

from jobs.models import Job
from jobs.registry import register
from jobs.runner import JobFailed, JobRunner
from jobs.services.enqueue import enqueue
from jobs.subjects import Subject
from library.models import Series
from library.series.scan import folder_of, make_folder
from library.subjects import SERIES
from media_meta import artwork, nfo
from media_meta.services import CreateOptions, find_tmdb_id, remember_tmdb_id, write_metadata
from media_meta.tmdb import TmdbClient
from nomarr_site.domain import DomainError

MAX_PROBLEMS = 100


class NfoBatchPayload(TypedDict):
    serie_ids: list[str]
    download_media: bool
    skip_existing: bool


def nfo_batch_key(payload: Mapping[str, Any]) -> str:
    scope = json.dumps(
        [payload.get("serie_ids"), payload.get("download_media"), payload.get("skip_existing")]
    )
    return "nfo_batch:" + hashlib.sha256(scope.encode()).hexdigest()[:16]


def nfo_batch_subject(payload: Mapping[str, Any]) -> Subject | None:
    keys = payload.get("serie_ids") or []
    if len(keys) != 1:
        return None
    series = Series.objects.filter(key=keys[0]).first()
    return Subject(SERIES, series.pk) if series is not None else None


def queue_nfo_batch(
    keys: list[str], download_media: bool = True, skip_existing: bool = True
) -> Job:
    """Queue NFO creation for the series `keys` (the same batch pending is returned)."""
    payload: NfoBatchPayload = {
        "serie_ids": list(dict.fromkeys(keys)),
        "download_media": download_media,
        "skip_existing": skip_existing,
    }
    return enqueue("nfo_batch", payload=payload)


@register(
    "nfo_batch",
    concurrency=1,
    max_attempts=1,
    payload=NfoBatchPayload,
    dedup_key=nfo_batch_key,
    subject=nfo_batch_subject,
)
class NfoBatchRunner(JobRunner):
    def run(self) -> dict:
        try:
            client = TmdbClient.from_settings()
        except DomainError as exc:
            raise JobFailed(exc.message) from None
        keys: list[str] = list(self.payload.get("serie_ids") or [])
        counts = {"created": 0, "skipped": 0, "failed": 0}
        problems: list[dict[str, str]] = []
        for done, key in enumerate(keys):
            self.check_cancelled()
            self._report(done / len(keys), f"{key} ({done + 1} of {len(keys)})", counts)
            outcome, reason = self._one(client, key)
            counts[outcome] += 1
            if reason and len(problems) < MAX_PROBLEMS:
                problems.append({"key": key, "reason": reason})
        message = (
            f"{counts['created']} created, {counts['skipped']} skipped, {counts['failed']} failed"
        )
        self._report(1.0, message, counts, force=True)
        return {**counts, "problems": problems}

    def _report(
        self, fraction: float, message: str, counts: dict[str, int], force: bool = False
    ) -> None:
        created, skipped, failed = counts["created"], counts["skipped"], counts["failed"]
        self.progress(
            fraction, message, force=force, created=created, skipped=skipped, failed=failed
        )

    def _one(self, client: TmdbClient, key: str) -> tuple[str, str]:
        """("created" | "skipped" | "failed", reason) for the series `key`."""
        series = Series.objects.filter(key=key).first()
        if series is None:
            return "failed", "Series not found"
        try:
            folder = folder_of(series)
            if self.payload.get("skip_existing", True) and (folder / nfo.NFO_NAME).is_file():
                return "skipped", ""
            tmdb_id = find_tmdb_id(client, series, CreateOptions())
            make_folder(folder)
            wanted = dict.fromkeys(artwork.MEDIA_FILES, bool(self.payload.get("download_media")))
            write_metadata(client, folder, tmdb_id, wanted, merge=True)
        except DomainError as exc:
            return "failed", exc.message
        except OSError as exc:
            return "failed", f"Cannot write into {series.folder}: {exc.strerror}"
        remember_tmdb_id(series, tmdb_id)
        return "created", ""

"""Job kind `import`: carries out one `ImportItem` in a worker.

`queue_import` is the one way to queue it: payload `ImportPayload` ({"item_id", "path"}: the
item and its resolved path), dedup key `import:<resolved path>` (one active import per file),
subject `library.import:<item id>`. The runner checks the file again (still inside an import
root once its links are followed, still a regular file, the same size and modification time
as when it was queued), then does what its kind asks (`actions.py`) and records the outcome
on the item; a failure the user can act on ends the item `failed` with the job's sentence.
A job delivered again (its worker died) or retried by hand resumes from what the item recorded:
a file already moved is found at its recorded destination, an NZB already handed over is not
sent again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from django.db import IntegrityError, transaction

from jobs.models import Job
from jobs.registry import register
from jobs.runner import JobFailed, JobRunner, RetryableError
from jobs.services.enqueue import enqueue
from jobs.subjects import Subject
from library.imports.actions import ACTIONS, Outcome
from library.imports.sources import (
    ImportFileMissing,
    Source,
    check_source,
    checked_text,
    queued_source,
)
from library.models import ImportItem
from library.subjects import IMPORT
from nomarr_site.domain import DomainError


class ImportPayload(TypedDict):
    item_id: int
    path: str  # resolved, inside an import root


def import_dedup_key(payload: Mapping[str, Any]) -> str:
    return f"import:{payload['path']}"


def import_subject(payload: Mapping[str, Any]) -> Subject | None:
    return Subject(IMPORT, int(payload["item_id"]))


def queue_import(item: ImportItem) -> Job:
    """Queue `item`; the active import job of the same file is returned instead of a second."""
    payload: ImportPayload = {"item_id": item.pk, "path": item.resolved_path}
    return enqueue("import", payload=payload, path=item.resolved_path)


def recheck(item: ImportItem) -> Source:
    """The item's file as it is now; JobFailed when it moved, changed or left the roots. A file
    an earlier attempt already moved or handed over (the item recorded where) is the source as
    it was queued: the action finishes that attempt's work."""
    given = checked_text(item.file_path, "file_path")
    try:
        source = check_source(given)
    except ImportFileMissing:
        if not (item.destination or item.downloader_id):
            raise
        return queued_source(given, item.resolved_path, item.kind, item.size, item.mtime_ns)
    if str(source.resolved) != item.resolved_path:
        raise JobFailed(
            f"{item.file_path} now leads to {source.resolved}, not to the file that was queued"
        )
    if (source.size, source.mtime_ns) != (item.size, item.mtime_ns):
        raise JobFailed(f"{item.file_path} changed after it was queued; import it again")
    return source


@register(
    "import",
    concurrency=2,
    max_attempts=4,
    payload=ImportPayload,
    dedup_key=import_dedup_key,
    subject=import_subject,
)
class ImportRunner(JobRunner):
    """Imports one file: audio into the music library, a video into its series, an NZB to the
    downloader; retried when the downloader is down."""

    def run(self) -> dict:
        item = ImportItem.objects.filter(pk=self.payload["item_id"]).first()
        if item is None:
            raise JobFailed("The import queue item was removed")
        try:
            with transaction.atomic():
                item.start()
        except IntegrityError:
            raise JobFailed("Another import of this file is already queued") from None
        try:
            outcome = self._carry_out(item)
        except JobFailed as exc:
            item.end(ImportItem.Status.FAILED, str(exc))
            raise
        except RetryableError as exc:
            if self.job.attempts >= self.job.max_attempts:
                item.end(
                    ImportItem.Status.FAILED, f"{exc} (gave up after {self.job.attempts} attempts)"
                )
            else:
                item.retry_later(f"{exc}; trying again")
            raise
        item.succeed(outcome.status, outcome.message, outcome.destination, outcome.downloader_id)
        return {
            "item_id": item.pk,
            "status": outcome.status,
            "message": outcome.message,
            "destination": outcome.destination,
            "downloader_id": outcome.downloader_id,
        }

    def _carry_out(self, item: ImportItem) -> Outcome:
        try:
            source = recheck(item)
            self.progress(0.1, f"Importing {source.resolved.name}")
            return ACTIONS[item.kind](item, source)
        except DomainError as exc:
            raise JobFailed(exc.message) from None

"""Adding a file to the import queue (`POST /api/import/file`): the request's paths checked,
the file checked (`sources.check_source`), where it would go checked, then one `ImportItem`
and its `import` job, created together; the same file already pending or running is a conflict.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError, transaction

from library.imports import history
from library.imports.actions import NoImportTarget, music_library, nzb_client
from library.imports.import_job import queue_import
from library.imports.nzb import check_nzb
from library.imports.sources import AUDIO, NZB, VIDEO, ImportRefused, check_source, checked_text
from library.models import ImportItem
from library.models.imports import path_digest
from library.paths import is_inside
from library.series.scan import NoSeriesDirectory, series_root
from nomarr_site.domain import Conflict

logger = logging.getLogger(__name__)


class AlreadyQueued(Conflict):
    def __init__(self, path: str, queue_id: int | None = None):
        suffix = f" (queue id {queue_id})" if queue_id else ""
        super().__init__(
            f"File is already in the import queue{suffix}: {path}",
            details={"file_path": path, **({"queue_id": queue_id} if queue_id else {})},
        )


def _check_destination(kind: str, source_path: Any) -> None:
    """Refuse now what the job could only fail on: nowhere to put it, a broken NZB."""
    if kind == AUDIO:
        music_library()
    elif kind == VIDEO:
        try:
            series_root()
        except NoSeriesDirectory:
            raise NoImportTarget(
                "No series directory is set to import videos into; set it in the settings first"
            ) from None
    elif kind == NZB:
        nzb_client()
        check_nzb(source_path)  # a chunk at a time: the web process never holds the NZB


def request_import(file_path: Any, relative_path: Any = None) -> ImportItem:
    """Queue the file at `file_path`; its `ImportItem` (the id is the queue id)."""
    given = checked_text(file_path, "file_path")
    strip = checked_text(relative_path, "relative_path", required=False)
    if strip and (given == strip or not is_inside(given, strip)):
        raise ImportRefused(
            f"relative_path must be a folder above file_path: {strip}", strip, field="relative_path"
        )
    source = check_source(given)
    _check_destination(source.kind, source.resolved)
    resolved = str(source.resolved)
    history.settle(ImportItem.objects.active().filter(path_digest=path_digest(resolved)))
    try:
        with transaction.atomic():
            item = ImportItem.objects.create(
                file_path=file_path,
                resolved_path=resolved,
                relative_path=strip,
                kind=source.kind,
                size=source.size,
                mtime_ns=source.mtime_ns,
            )
            job = queue_import(item)
            if job.payload.get("item_id") != item.pk:
                raise IntegrityError("an earlier import job of this file is still active")
            item.job = job
            item.save(update_fields=["job", "path_digest"])
    except IntegrityError:
        active = ImportItem.objects.active().filter(path_digest=path_digest(resolved)).first()
        raise AlreadyQueued(given, active.pk if active else None) from None
    logger.info("Queued import %s of %s (%s)", item.pk, resolved, source.kind)
    return item

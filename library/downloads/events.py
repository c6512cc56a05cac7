"""The download queue's events in room `downloads` (`download.added`, `download.removed`,
`download.queue_status`); the job kind sends progress, complete and failed itself."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from library.downloads import shapes
from library.downloads.queue_state import state
from library.models import DownloadItem
from nomarr_site.events.sender import DOWNLOAD_ADDED, DOWNLOAD_QUEUE_STATUS, DOWNLOAD_REMOVED

logger = logging.getLogger(__name__)

REMOVED_IDS_CAP = 1000  # ids named in one `download.removed`; a page re-reads after a clear


def added(items: Iterable[DownloadItem]) -> None:
    queue = state()
    for item in items:
        DOWNLOAD_ADDED.send(
            {
                "download_id": str(item.pk),
                "key": item.series.key,
                "folder": item.series.folder,
                "item": shapes.item_json(item, queue),
            }
        )
    queue_status()


def removed(ids: list[str]) -> None:
    if ids:
        DOWNLOAD_REMOVED.send({"download_ids": ids[:REMOVED_IDS_CAP]})
        queue_status()


def queue_status() -> None:
    """`download.queue_status`: the state and statistics (the lists are read from the API)."""
    try:
        queue = state()
        numbers = shapes.statistics(list(shapes.with_status(("running",))))
    except Exception:  # events are notifications; a failed count must not fail the caller
        logger.warning("Could not compute the download queue's status", exc_info=True)
        return
    DOWNLOAD_QUEUE_STATUS.send(
        {"is_running": queue.is_running, "is_paused": queue.is_paused, "statistics": dict(numbers)}
    )

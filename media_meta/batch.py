"""Creating NFOs for many series at once (`POST /api/nfo/batch/create`): the TMDB and file
work of up to `max_concurrent` series runs side by side in threads; every database read and
write stays in the calling thread (a thread's own connection would not see its transaction).
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from library.models import Series
from library.series.scan import folder_of, make_folder
from media_meta import artwork, nfo
from media_meta.services import CreateOptions, find_tmdb_id, remember_tmdb_id, write_metadata
from media_meta.tmdb import TmdbClient
from nomarr_site.domain import DomainError

logger = logging.getLogger(__name__)

MAX_CONCURRENT = 10
SKIPPED = "Skipped - NFO already exists"


@dataclass
class _Work:
    index: int
    series: Series
    folder: Path
    tmdb_id: int


def _result(serie_id: str, folder: str, success: bool, message: str, path: str | None) -> dict:
    return {
        "serie_id": serie_id,
        "serie_folder": folder,
        "success": success,
        "message": message,
        "nfo_path": path,
    }


def _plan(
    client: TmdbClient, serie_id: str, skip_existing: bool
) -> tuple[dict[str, Any] | None, _Work | None]:
    """A finished result (not found, skipped, refused) or the work to do for one id."""
    series = Series.objects.filter(key=serie_id).first() if "\x00" not in serie_id else None
    if series is None:
        return _result(serie_id, "", False, "Series not found", None), None
    try:
        folder = folder_of(series)
        if skip_existing and (folder / nfo.NFO_NAME).is_file():
            return _result(series.key, series.folder, False, SKIPPED, None), None
        tmdb_id = find_tmdb_id(client, series, CreateOptions())
    except DomainError as exc:
        return _result(series.key, series.folder, False, exc.message, None), None
    return None, _Work(0, series, folder, tmdb_id)


def _run(client: TmdbClient, work: _Work, download_media: bool) -> str:
    """'' on success, else the reason (runs in a worker thread: no database)."""
    try:
        make_folder(work.folder)
        wanted = dict.fromkeys(artwork.MEDIA_FILES, download_media)
        write_metadata(client, work.folder, work.tmdb_id, wanted, merge=True)
    except DomainError as exc:
        return exc.message
    except OSError as exc:
        return f"Cannot write into {work.series.folder}: {exc.strerror}"
    return ""


def batch_create(
    serie_ids: list[str], download_media: bool, skip_existing: bool, max_concurrent: int
) -> dict[str, Any]:
    client = TmdbClient.from_settings()
    results: list[dict[str, Any] | None] = []
    todo: list[_Work] = []
    for serie_id in dict.fromkeys(serie_ids):
        done, work = _plan(client, serie_id, skip_existing)
        if work is not None:
            work.index = len(results)
            todo.append(work)
        results.append(done)
    with ThreadPoolExecutor(max_workers=max(1, min(max_concurrent, MAX_CONCURRENT))) as pool:
        outcomes = list(pool.map(lambda w: _run(client, w, download_media), todo))
    for work, problem in zip(todo, outcomes, strict=True):
        path = str(work.folder / nfo.NFO_NAME)
        if not problem:
            remember_tmdb_id(work.series, work.tmdb_id)
        results[work.index] = _result(
            work.series.key,
            work.series.folder,
            not problem,
            problem or "NFO created successfully",
            None if problem else path,
        )
    final = [r for r in results if r is not None]
    skipped = sum(1 for r in final if r["message"] == SKIPPED)
    successful = sum(1 for r in final if r["success"])
    return {
        "total": len(final),
        "successful": successful,
        "failed": len(final) - successful - skipped,
        "skipped": skipped,
        "results": final,
    }

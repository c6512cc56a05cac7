"""NFO and artwork operations on a series, in the shapes of Aniworld's `/api/nfo/*`.

The TMDB id comes from the series, else from its NFO (`uniqueid type="tmdb"`), else from a
TMDB search by name (and year) when an NFO is created; it is then stored on the series.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from library.models import Series
from library.series.scan import FolderUnusable, folder_of, make_folder
from media_meta import artwork, nfo
from media_meta.tmdb import TmdbClient
from nomarr_site.domain import Conflict, Forbidden, NotFound
from nomarr_site.timefmt import utc_iso

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CreateOptions:
    serie_name: str | None = None
    year: int | None = None
    download_poster: bool = True
    download_logo: bool = True
    download_fanart: bool = True
    overwrite_existing: bool = False

    def wanted(self) -> dict[str, bool]:
        return {
            "poster": self.download_poster,
            "logo": self.download_logo,
            "fanart": self.download_fanart,
        }


def identity(series: Series) -> dict[str, Any]:
    return {"serie_id": series.key, "serie_folder": series.folder}


def nfo_path(series: Series) -> Path:
    return folder_of(series) / nfo.NFO_NAME


def check(series: Series) -> dict[str, Any]:
    folder = folder_of(series)
    path = folder / nfo.NFO_NAME
    present = path.is_file()
    return {
        **identity(series),
        "has_nfo": present,
        "nfo_path": str(path) if present else None,
        "media_files": artwork.media_status(folder),
    }


def _tmdb_id_from_nfo(path: Path) -> int | None:
    return nfo.tmdb_id_of(nfo.read(path)) if path.is_file() else None


def find_tmdb_id(client: TmdbClient, series: Series, options: CreateOptions) -> int:
    known = series.tmdb_id or _readable_id(nfo_path(series))
    if known:
        return known
    name = (options.serie_name or series.folder).strip()
    results = client.search_tv(name, year=options.year or series.year).get("results") or []
    first = next((r for r in results if isinstance(r, dict) and isinstance(r.get("id"), int)), None)
    if first is None:
        raise NotFound(f"TMDB has no TV show matching '{name[:200]}'")
    return int(first["id"])


def _readable_id(path: Path) -> int | None:
    try:
        return _tmdb_id_from_nfo(path)
    except nfo.NfoUnreadable:
        return None


def remember_tmdb_id(series: Series, tmdb_id: int) -> None:
    if series.tmdb_id != tmdb_id and not Series.objects.filter(tmdb_id=tmdb_id).exists():
        series.tmdb_id = tmdb_id
        series.link = series.link or f"https://www.themoviedb.org/tv/{tmdb_id}"
        series.save(update_fields=["tmdb_id", "link", "updated_at"])


def write_metadata(
    client: TmdbClient, folder: Path, tmdb_id: int, wanted: dict[str, bool], merge: bool
) -> list[str]:
    """Write the NFO and download the wanted artwork for show `tmdb_id` into `folder`; returns
    the artwork problems. Touches no database row, so batches run it in threads."""
    show = client.show(tmdb_id)
    art = artwork.choose(show, client.configuration(), client.language)
    try:
        nfo.write(folder, show, art, merge=merge)
    except OSError as exc:
        raise FolderUnusable(f"Cannot write {nfo.NFO_NAME} in {folder}: {exc.strerror}") from None
    return artwork.download_all(art, folder, wanted)


def create(series: Series, options: CreateOptions) -> dict[str, Any]:
    client = TmdbClient.from_settings()
    folder = folder_of(series)
    path = folder / nfo.NFO_NAME
    if path.is_file() and not options.overwrite_existing:
        raise Conflict(
            f"NFO already exists for {series.folder}; use overwrite_existing: true",
            details={"nfo_path": str(path)},
        )
    tmdb_id = find_tmdb_id(client, series, options)
    make_folder(folder)
    _write_tolerant(client, folder, tmdb_id, options.wanted())
    remember_tmdb_id(series, tmdb_id)
    return {
        **identity(series),
        "nfo_path": str(path),
        "media_files": artwork.media_status(folder),
        "message": "NFO and media files created successfully",
    }


def _write_tolerant(
    client: TmdbClient, folder: Path, tmdb_id: int, wanted: dict[str, bool]
) -> None:
    """Create (or overwrite): keep what a readable NFO holds, replace an unreadable one."""
    try:
        write_metadata(client, folder, tmdb_id, wanted, merge=True)
    except nfo.NfoUnreadable:
        write_metadata(client, folder, tmdb_id, wanted, merge=False)


def _existing_nfo(series: Series) -> tuple[Path, int]:
    path = nfo_path(series)
    if not path.is_file():
        raise NotFound(f"No NFO for {series.folder}; use the create endpoint")
    tmdb_id = _tmdb_id_from_nfo(path) or series.tmdb_id
    if not tmdb_id:
        raise NotFound(f"The NFO of {series.folder} names no TMDB id; recreate it")
    return path, tmdb_id


def update(series: Series, download_media: bool) -> dict[str, Any]:
    client = TmdbClient.from_settings()
    path, tmdb_id = _existing_nfo(series)
    wanted = dict.fromkeys(artwork.MEDIA_FILES, download_media)
    write_metadata(client, path.parent, tmdb_id, wanted, merge=True)
    remember_tmdb_id(series, tmdb_id)
    return {
        **identity(series),
        "nfo_path": str(path),
        "media_files": artwork.media_status(path.parent),
        "message": "NFO updated successfully",
    }


def content(series: Series) -> dict[str, Any]:
    path = nfo_path(series)
    if not path.is_file():
        raise NotFound(f"No NFO for {series.folder}")
    data = path.read_bytes()[: nfo.MAX_NFO_BYTES]
    return {
        **identity(series),
        "content": data.decode("utf-8", errors="replace"),
        "file_size": path.stat().st_size,
        "last_modified": utc_iso(_mtime(path)),
    }


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)


def media_status(series: Series) -> dict[str, Any]:
    return artwork.media_status(folder_of(series))


def media_download(series: Series, wanted: dict[str, bool]) -> dict[str, Any]:
    client = TmdbClient.from_settings()
    path, tmdb_id = _existing_nfo(series)
    art = artwork.choose(client.show(tmdb_id), client.configuration(), client.language)
    artwork.download_all(art, path.parent, wanted)
    return artwork.media_status(path.parent)


def missing() -> dict[str, Any]:
    """Every series without a tvshow.nfo, with its artwork status."""
    TmdbClient.from_settings()  # the reference answers 503 without a key here too
    rows, total = [], 0
    for series in Series.objects.order_by("name", "pk").iterator():
        total += 1
        try:
            folder = folder_of(series)
        except Forbidden:  # a folder that leads outside the directory is not Nomarr's to fix
            continue
        if (folder / nfo.NFO_NAME).is_file():
            continue
        media = artwork.media_status(folder)
        rows.append(
            {
                **identity(series),
                "serie_name": series.name,
                "has_media": any(media[f"has_{name}"] for name in artwork.MEDIA_FILES),
                "media_files": media,
            }
        )
    return {"total_series": total, "missing_nfo_count": len(rows), "series": rows}

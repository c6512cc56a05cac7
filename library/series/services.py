"""The series library's operations: setting its directory, finding, listing, searching and
adding series. Views call these; they raise `nomarr_site.domain` errors.

A series is added from TMDB (`link`: a TMDB TV URL or id). Its `key` is the slug of the
link (`https://www.themoviedb.org/tv/1429-attack-on-titan` → `attack-on-titan`), else the
slug of TMDB's name, else `series-<id>`; `-<id>` is appended when another series has it. Its
folder is the sanitised `name` the caller gives (never the key); its display name is that
name without a trailing "(Year)" (the add dialog offers TMDB's "Name (Year)" as the folder).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, Q, QuerySet

from library.models import Episode, Series
from library.series import naming
from library.series.episodes import SeriesScan, missing_by_season, scan_series
from library.series.scan import make_folder, series_root, sync_folders, usable_root
from library.series.scan_job import queue_series_scan
from media_meta.tmdb import TmdbClient
from nomarr_site import config
from nomarr_site.domain import Conflict, NotFound, Unprocessable

TMDB_SITE = "themoviedb.org"
TMDB_TV_URL = "https://www.themoviedb.org/tv/"
_LINK = re.compile(
    r"^(?:https?://(?:www\.)?themoviedb\.org/tv/)?(?P<id>\d{1,9})"
    r"(?:-(?P<slug>[A-Za-z0-9-]{1,150}))?(?:[/?#].*)?$"
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
SORTS = {
    "title": ("name", "pk"),
    "name": ("name", "pk"),
    "id": ("pk",),
    "missing_episodes": ("-missing_count", "name", "pk"),
}
FILTERS = ("missing_episodes", "no_episodes")


def check_directory(directory: Any, field: str = "directory") -> None:
    """Refuse (`InvalidSetting` naming `field`) a series directory that cannot be used."""
    try:
        config.media_folder(config.path_value(directory))
    except config.InvalidSetting as exc:
        raise config.InvalidSetting(f"{field}: {exc}", field=field) from None


def set_directory(directory: Any) -> int:
    """Store the series directory (an existing readable folder, else `InvalidSetting`), make
    a series of each show folder in it, and queue a scan for their episodes; returns how many
    series the directory holds."""
    config.set_series_directory(directory)
    count = sync_folders(series_root())
    if count:
        queue_series_scan()
    return count


def find(identifier: str) -> Series:
    """The series whose key is `identifier`, else whose folder is (the reference's fallback)."""
    if "\x00" in identifier:  # PostgreSQL refuses NUL in text; no series has one
        raise NotFound("Series not found")
    series = Series.objects.filter(key=identifier).first()
    series = series or Series.objects.filter(folder=identifier).first()
    if series is None:
        raise NotFound(f"Series '{identifier[:200]}' not found")
    return series


def item(series: Series, missing: dict[str, list[int]] | None = None) -> dict[str, Any]:
    """The reference's series object."""
    return {
        "key": series.key,
        "name": series.name,
        "site": series.site,
        "folder": series.folder,
        "missing_episodes": missing or {},
        "link": series.link,
    }


def with_counts(rows: QuerySet[Series]) -> QuerySet[Series]:
    return rows.annotate(
        missing_count=Count("episodes", filter=Q(episodes__is_present=False)),
        present_count=Count("episodes", filter=Q(episodes__is_present=True)),
    )


def missing_list(
    page: int, per_page: int, sort_by: str | None, filter_by: str | None
) -> list[dict[str, Any]]:
    """One page of the series that miss episodes (`no_episodes`: and have none on disk)."""
    rows = with_counts(Series.objects.all()).filter(Q(missing_count__gt=0))
    if filter_by == "no_episodes":
        rows = rows.filter(Q(present_count=0))
    rows = rows.order_by(*SORTS.get(sort_by or "", ("name", "pk")))
    missing = Prefetch("episodes", queryset=Episode.objects.filter(is_present=False))
    start = (page - 1) * per_page
    page_rows = rows.prefetch_related(missing)[start : start + per_page]
    return [item(s, missing_by_season(s.episodes.all())) for s in page_rows]


def search(query: str) -> list[dict[str, Any]]:
    """TMDB's TV shows matching `query`, as series objects (not in the library yet)."""
    found = TmdbClient.from_settings().search_tv(query)
    results = []
    for show in found.get("results") or []:
        if not isinstance(show, dict) or not isinstance(show.get("id"), int):
            continue
        name = str(show.get("name") or show.get("original_name") or "")
        year = str(show.get("first_air_date") or "")[:4]
        folder = naming.sanitize_folder(f"{name} ({year})" if year.isdigit() else name)
        results.append(
            {
                "key": naming.make_key(name, show["id"]),
                "name": name,
                "site": TMDB_SITE,
                "folder": folder,
                "missing_episodes": {},
                "link": f"{TMDB_TV_URL}{show['id']}",
            }
        )
    return results


@dataclass(frozen=True)
class Added:
    series: Series
    scan: SeriesScan


def parse_link(link: str) -> tuple[int, str]:
    """(TMDB id, slug or "") of a TMDB TV URL or a bare id; `Unprocessable` otherwise."""
    match = _LINK.match(link.strip())
    if match is None or int(match.group("id")) == 0:
        raise Unprocessable(
            "link must be a TMDB TV show URL (https://www.themoviedb.org/tv/1429-attack-on-titan)"
            " or a TMDB id",
            field="link",
        )
    return int(match.group("id")), (match.group("slug") or "").lower()


def _key_for(slug: str, name: str, tmdb_id: int) -> str:
    key = naming.make_key(slug or name, tmdb_id)
    if Series.objects.filter(key=key).exists():
        key = f"{key[:180]}-{tmdb_id}"
    return key


def add(link: str, name: str) -> Added:
    """Add the TMDB show `link` under the folder `name` (sanitised): create the folder, the
    series and its episodes (a scan of this series only)."""
    tmdb_id, slug = parse_link(link)
    folder = naming.sanitize_folder(name)
    if not folder:
        raise Unprocessable("name must contain characters usable in a folder name", field="name")
    root = usable_root()
    existing = Series.objects.filter(Q(tmdb_id=tmdb_id) | Q(folder=folder)).first()
    if existing is not None:
        raise Conflict(
            f"Series already exists: {existing.name} (key '{existing.key}')",
            details={"key": existing.key},
        )
    client = TmdbClient.from_settings()
    show = client.show(tmdb_id)
    aired = str(show.get("first_air_date") or "")[:4]
    make_folder(root / folder)
    try:
        with transaction.atomic():
            series = Series.objects.create(
                key=_key_for(slug, str(show.get("name") or name), tmdb_id),
                name=naming.parse_folder_name(_CONTROL.sub("", name)).name[:500] or folder,
                folder=folder,
                link=f"{TMDB_TV_URL}{tmdb_id}",
                year=int(aired) if aired.isdigit() else None,
                tmdb_id=tmdb_id,
                language=client.language,
            )
    except IntegrityError:
        raise Conflict(f"Series already exists: {name}") from None
    return Added(series, scan_series(series, root, client))


def status() -> dict[str, Any]:
    return {"directory": config.get("series_directory"), "series_count": Series.objects.count()}


def rescan() -> int:
    """Queue a scan of the whole series library; returns the job id."""
    return queue_series_scan().pk

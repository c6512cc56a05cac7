"""A show's episodes: what the provider (TMDB) lists, what the folder holds, and the `Episode`
rows that result.

Rows are the aired episodes of the regular seasons (season ≥ 1, air date today or earlier)
plus every episode a file was found for (specials included): so a row that is not present is
exactly a missing episode. Without provider data (no key, no TMDB id, TMDB down) the rows
already known are kept and only their presence changes. Absolute episode numbers count
through the regular seasons in the provider's order; without it they are season 1.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from library.models import Episode, Series
from library.series.scan import FolderFiles, episode_files
from media_meta.tmdb import TmdbClient, TmdbNotFound, TmdbUnavailable

logger = logging.getLogger(__name__)

Number = tuple[int, int]  # (season, episode)


@dataclass(frozen=True)
class ProviderEpisode:
    season: int
    number: int
    title: str
    air_date: dt.date | None


@dataclass
class SeriesScan:
    """The outcome of scanning one series: counts, missing codes ("1-2"), and why provider
    data was not used (empty when it was)."""

    present: int
    missing: list[str]
    problem: str = ""


def _date(text: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


def provider_episodes(
    client: TmdbClient, tmdb_id: int
) -> tuple[dict[str, Any], list[ProviderEpisode]]:
    """The show's details and every episode of every season TMDB lists."""
    show = client.show(tmdb_id)
    episodes: list[ProviderEpisode] = []
    for season in show.get("seasons") or []:
        number = season.get("season_number") if isinstance(season, dict) else None
        if not isinstance(number, int) or number < 0 or not season.get("episode_count"):
            continue
        try:
            data = client.season(tmdb_id, number)
        except TmdbNotFound:
            continue
        for item in data.get("episodes") or []:
            if isinstance(item, dict) and isinstance(item.get("episode_number"), int):
                episodes.append(
                    ProviderEpisode(
                        number,
                        item["episode_number"],
                        str(item.get("name") or "")[:500],
                        _date(item.get("air_date")),
                    )
                )
    return show, episodes


def present_numbers(
    files: FolderFiles, provider: list[ProviderEpisode] | None
) -> dict[Number, str]:
    """(season, episode) → file, absolute numbers placed by the provider's order."""
    present = dict(files.numbered)
    order = sorted((e.season, e.number) for e in provider or [] if e.season >= 1)
    for absolute, path in sorted(files.absolute.items()):
        if order and absolute <= len(order):
            present.setdefault(order[absolute - 1], path)
        elif not order:
            present.setdefault((1, absolute), path)
    return present


def _wanted(
    series: Series,
    present: dict[Number, str],
    provider: list[ProviderEpisode] | None,
    today: dt.date,
) -> dict[Number, tuple[str, dt.date | None]]:
    wanted: dict[Number, tuple[str, dt.date | None]] = {}
    if provider is None:
        # Keep what the provider said before (aired regular episodes); a special or an
        # unlisted episode whose file is gone is not missing, it is forgotten.
        for row in series.episodes.all():
            if row.season >= 1 and row.air_date is not None:
                wanted[(row.season, row.number)] = (row.title, row.air_date)
    else:
        for ep in provider:
            aired = ep.air_date is not None and ep.air_date <= today
            if (ep.season, ep.number) in present or (aired and ep.season >= 1):
                wanted[(ep.season, ep.number)] = (ep.title, ep.air_date)
    for number in present:
        wanted.setdefault(number, ("", None))
    return wanted


def reconcile(
    series: Series,
    files: FolderFiles,
    provider: list[ProviderEpisode] | None,
    today: dt.date | None = None,
) -> SeriesScan:
    """Make the series' `Episode` rows match the provider's list and the files found. Where
    the folder could not all be read (`files.complete`), an episode present before stays
    present: its file may be in the part that could not be read (an unmounted share), and a
    missing episode may be downloaded again."""
    present = present_numbers(files, provider)
    with transaction.atomic():
        if not files.complete:
            seen = series.episodes.filter(is_present=True).values_list("season", "number", "path")
            for season, number, path in seen:
                present.setdefault((season, number), path)
        wanted = _wanted(series, present, provider, today or timezone.localdate())
        existing = {(row.season, row.number): row for row in series.episodes.all()}
        stale = [row.pk for key, row in existing.items() if key not in wanted]
        Episode.objects.filter(pk__in=stale).delete()
        changed, created = [], []
        for key, (title, aired) in wanted.items():
            path = present.get(key, "")
            row = existing.get(key)
            if row is None:
                created.append(
                    Episode(series=series, season=key[0], number=key[1], title=title,
                            air_date=aired, path=path, is_present=bool(path))
                )  # fmt: skip
            elif (row.title, row.air_date, row.path, row.is_present) != (
                title,
                aired,
                path,
                bool(path),
            ):
                row.title, row.air_date, row.path, row.is_present = title, aired, path, bool(path)
                changed.append(row)
        Episode.objects.bulk_create(created)
        Episode.objects.bulk_update(changed, ["title", "air_date", "path", "is_present"])
    missing = sorted(key for key in wanted if key not in present)
    return SeriesScan(len(present), [f"{s}-{e}" for s, e in missing])


def _apply_show(series: Series, show: dict[str, Any], language: str) -> None:
    series.description = str(show.get("overview") or series.description)[:10_000]
    aired = _date(show.get("first_air_date"))
    if series.year is None and aired is not None:
        series.year = aired.year
    series.language = language[:20]


def scan_series(series: Series, root: Path, client: TmdbClient | None) -> SeriesScan:
    """Scan one series: provider data when there is a client and a TMDB id, then its folder."""
    provider, problem = None, ""
    if client is not None and series.tmdb_id:
        try:
            show, provider = provider_episodes(client, series.tmdb_id)
            _apply_show(series, show, client.language)
        except (TmdbUnavailable, TmdbNotFound) as exc:
            problem = exc.message
            logger.warning("Series %s: provider data not used: %s", series.key, problem)
    elif series.tmdb_id:
        problem = "no TMDB API key is configured; missing episodes are not updated"
    else:
        problem = "not linked to TMDB; missing episodes are not known"
    files = episode_files(root / series.folder)
    result = reconcile(series, files, provider)
    series.scanned_at = timezone.now()
    series.save(update_fields=["description", "year", "language", "scanned_at", "updated_at"])
    if not files.complete:
        unread = f"{files.unreadable[0]} could not be read" + (
            f" (and {len(files.unreadable) - 1} more)" if len(files.unreadable) > 1 else ""
        )
        kept = f"{unread}; episodes found there before are still counted as present"
        problem = f"{problem}; {kept}" if problem else kept
    result.problem = problem
    return result


def missing_by_season(rows: Iterable[Episode]) -> dict[str, list[int]]:
    """The reference's `missing_episodes` shape: {"<season>": [episode, ...]} of missing rows."""
    missing: dict[str, list[int]] = {}
    for row in sorted(rows, key=lambda r: (r.season, r.number)):
        if not row.is_present:
            missing.setdefault(str(row.season), []).append(row.number)
    return missing

"""The download queue's operations: add episodes (and queue every missing one), remove,
clear, reorder and retry items. Views and the scheduler call these; they raise
`nomarr_site.domain` errors and announce what changed in room `downloads`.

An episode is refused (listed in `failed_items` with a reason, the rest still added) when its
series is unknown, it is already present, already queued (pending or downloading), listed twice,
or has no source: neither its own `source_url` nor its series' `download_source` template.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypedDict

from django.db import transaction
from django.db.models import F, Min, Q

from jobs.models import Job
from jobs.services import manage
from library.downloads import download_job, events, url_template
from library.models import DownloadItem, Episode, Series
from nomarr_site.domain import Invalid, NotFound, Unprocessable

logger = logging.getLogger(__name__)

ACTIVE_JOB = Q(job__isnull=True) | Q(job__status__in=Job.ACTIVE)
REMOVED_REASON = "Removed from the download queue"


class EpisodeRequest(TypedDict, total=False):
    season: int
    episode: int
    title: str
    source_url: str


class FailedItem(TypedDict):
    season: int | None
    episode: int | None
    reason: str


@dataclass
class AddResult:
    """What an add did: the new items' ids (UUID strings) and the refused episodes."""

    added: list[str] = field(default_factory=list)
    failed: list[FailedItem] = field(default_factory=list)

    def refuse(self, season: int | None, episode: int | None, reason: str) -> None:
        self.failed.append({"season": season, "episode": episode, "reason": reason})


def find_series(key: str, folder: str = "") -> Series | None:
    """The series with `key`, else (the reference's deprecated fallback) with `folder`."""
    series = Series.objects.filter(key=key).first() if key else None
    if series is None and folder:
        series = Series.objects.filter(folder=folder).first()
    return series


def _source(series: Series, wanted: EpisodeRequest) -> str:
    """The episode's URL: its own `source_url`, else the series' template; Invalid if none."""
    given = (wanted.get("source_url") or "").strip()
    if given:
        return url_template.check_url(given)
    if not series.download_source:
        raise Invalid(f"Series '{series.key}' has no download source and no source_url was given")
    return url_template.fill(
        series.download_source, wanted["season"], wanted["episode"], series.key
    )


def _refusal(series: Series, season: int, number: int, seen: set[tuple[int, int]]) -> str:
    """Why this episode cannot be queued, or ""."""
    if (season, number) in seen:
        return "Listed twice in this request"
    if Episode.objects.filter(
        series=series, season=season, number=number, is_present=True
    ).exists():
        return "Already present in the series folder"
    queued = DownloadItem.objects.filter(series=series, season=season, episode=number)
    if queued.filter(ACTIVE_JOB).exists():
        return "Already in the download queue"
    return ""


def add(
    series: Series | None,
    episodes: Sequence[EpisodeRequest],
    priority: str = "NORMAL",
    series_key: str = "",
) -> AddResult:
    """Queue each episode of `series` that can be (see the module docstring)."""
    result = AddResult()
    if series is None:
        for wanted in episodes:
            reason = f"Series '{series_key}' is not in the library"
            result.refuse(wanted.get("season"), wanted.get("episode"), reason)
        return result
    created: list[DownloadItem] = []
    seen: set[tuple[int, int]] = set()
    for wanted in episodes:
        season, number = wanted["season"], wanted["episode"]
        reason = _refusal(series, season, number, seen)
        seen.add((season, number))
        if not reason:
            try:
                url = _source(series, wanted)
            except Invalid as exc:
                reason = exc.message
        if reason:
            result.refuse(season, number, reason)
            continue
        created.append(_queue(series, wanted, url, priority))
    result.added = [str(item.pk) for item in created]
    if created:
        events.added(created)
    return result


def _queue(series: Series, wanted: EpisodeRequest, url: str, priority: str) -> DownloadItem:
    with transaction.atomic():
        item = DownloadItem.objects.create(
            series=series,
            season=wanted["season"],
            episode=wanted["episode"],
            title=(wanted.get("title") or _known_title(series, wanted))[:500],
            source_url=url,
        )
        item.job = download_job.queue_download(item, priority)
        item.save(update_fields=["job"])
    return item


def _known_title(series: Series, wanted: EpisodeRequest) -> str:
    row = Episode.objects.filter(
        series=series, season=wanted["season"], number=wanted["episode"]
    ).first()
    return row.title if row else ""


def queue_missing(series: Iterable[Series] | None = None) -> AddResult:
    """Queue every missing episode of `series` (None: the whole library) that has a download
    source and is not queued yet; episodes without a source are skipped silently."""
    rows = Series.objects.exclude(download_source="")
    if series is not None:
        rows = rows.filter(pk__in=[s.pk for s in series])
    total = AddResult()
    for show in rows.order_by("name", "pk").iterator():
        missing = show.episodes.filter(is_present=False).order_by("season", "number")
        queued = set(
            DownloadItem.objects.filter(series=show)
            .filter(ACTIVE_JOB)
            .values_list("season", "episode")
        )
        wanted: list[EpisodeRequest] = [
            {"season": e.season, "episode": e.number, "title": e.title}
            for e in missing
            if (e.season, e.number) not in queued
        ]
        if wanted:
            result = add(show, wanted)
            total.added.extend(result.added)
            total.failed.extend(result.failed)
    return total


def remove(ids: Sequence[str]) -> int:
    """Remove these items (all must exist, else `NotFound` naming the unknown ones and nothing
    is removed). A running one is cancelled: its download stops and its partial file goes."""
    wanted = list(dict.fromkeys(str(i) for i in ids))
    found = list(DownloadItem.objects.filter(pk__in=wanted).select_related("job", "series"))
    unknown = sorted(set(wanted) - {str(item.pk) for item in found})
    if unknown:
        raise NotFound(
            f"No download item {', '.join(unknown[:20])}", details={"unknown_ids": unknown[:100]}
        )
    _delete(found)
    return len(found)


def _delete(found: list[DownloadItem]) -> None:
    """Delete items and their jobs; a running job is flagged to stop and kept until it does
    (the jobs queue then shows it cancelled, with the reason)."""
    job_ids = [item.job_id for item in found if item.job_id is not None]
    for item in found:
        if item.job is None or item.job.status not in (Job.Status.RUNNING, Job.Status.DONE):
            download_job.discard_partial(item)  # a running one removes its own when it stops
    with transaction.atomic():
        manage.cancel(job_ids, REMOVED_REASON)
        DownloadItem.objects.filter(pk__in=[item.pk for item in found]).delete()
        Job.objects.filter(pk__in=job_ids).exclude(status=Job.Status.RUNNING).delete()
    events.removed([str(item.pk) for item in found])


CLEARS = {
    "completed": (Job.Status.DONE,),
    "failed": (Job.Status.ERROR,),
    "pending": (Job.Status.PENDING,),
}


def clear(which: str) -> int:
    """Remove every completed, failed or pending item; returns how many."""
    chosen = DownloadItem.objects.filter(job__status__in=CLEARS[which])
    found = list(chosen.select_related("job", "series"))
    if which == "pending":
        found += list(DownloadItem.objects.filter(job__isnull=True).select_related("series"))
    _delete(found)
    _drop_orphans()
    return len(found)


def _drop_orphans() -> None:
    """Finished download jobs whose item was removed while they ran (nothing shows them)."""
    Job.objects.filter(
        kind=download_job.KIND, status__in=Job.TERMINAL, download_item__isnull=True
    ).delete()


def reorder(ids: Sequence[str]) -> int:
    """Put the pending items in exactly this order. `ids` must name every pending item once
    (`Unprocessable` names the missing, unknown or not pending ones). The given order beats
    priorities: each gets the highest priority among them, so the order holds."""
    wanted = [str(i) for i in ids]
    pending = dict(
        DownloadItem.objects.filter(job__status=Job.Status.PENDING).values_list("pk", "job_id")
    )
    pending_ids = {str(pk): job for pk, job in pending.items()}
    problems = {
        "duplicate_ids": sorted(i for i, n in Counter(wanted).items() if n > 1),
        "not_pending_ids": sorted(set(wanted) - set(pending_ids)),
        "missing_ids": sorted(set(pending_ids) - set(wanted)),
    }
    if any(problems.values()):
        named = "; ".join(
            f"{k.replace('_', ' ')}: {', '.join(v[:20])}" for k, v in problems.items() if v
        )
        raise Unprocessable(
            f"item_ids must list every pending item once, in the new order ({named})",
            field="item_ids",
            details={k: v[:100] for k, v in problems.items()},
        )
    jobs = Job.objects.filter(pk__in=pending_ids.values(), status=Job.Status.PENDING)
    with transaction.atomic():
        top = max(jobs.values_list("priority", flat=True), default=Job.Priority.NORMAL)
        start = jobs.aggregate(m=Min("position"))["m"] or 0
        for offset, item_id in enumerate(wanted):
            Job.objects.filter(pk=pending_ids[item_id], status=Job.Status.PENDING).update(
                position=start + offset, priority=top
            )
    events.queue_status()
    return len(wanted)


def retry(ids: Sequence[str]) -> list[str]:
    """Queue failed items again (empty `ids`: every failed item); returns the retried ids.
    Ids that are unknown or not failed are skipped; each retry counts in `retry_count`."""
    failed = DownloadItem.objects.filter(job__status=Job.Status.ERROR)
    if ids:
        failed = failed.filter(pk__in=[str(i) for i in ids])
    by_job = {item.job_id: item for item in failed.select_related("series", "job") if item.job_id}
    report = manage.retry(list(by_job), all_errors=True)
    retried = [by_job[pk] for pk in report.retried]
    DownloadItem.objects.filter(pk__in=[item.pk for item in retried]).update(
        retry_count=F("retry_count") + 1, downloaded_bytes=0, speed_mbps=None, eta_seconds=None
    )
    for item in retried:
        item.refresh_from_db()
    if retried:
        events.added(retried)
    return [str(item.pk) for item in retried]

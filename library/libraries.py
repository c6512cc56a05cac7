"""Library management: create, update and delete libraries (validating their roots), their
statistics, and queueing scans of them."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from jobs.models import Job
from jobs.services.manage import cancel
from jobs.subjects import Subject
from library import subjects
from library.models import Library, Track
from library.paths import resolve_inside_roots, validate_root
from library.scanning.scan_job import queue_scan
from nomarr_site.domain import Conflict

logger = logging.getLogger(__name__)

CHUNK_SIZE = 500
EDITABLE_FIELDS = ("name", "root_path", "kind", "is_enabled", "is_default")


class LibraryDisabled(Conflict):
    """A scan was asked of a library that is switched off."""


@transaction.atomic
def create_library(data: dict[str, Any]) -> Library:
    """Create a library from validated fields; the root is checked and stored resolved."""
    refuse_taken_name(data.get("name", ""))
    root = validate_root(data["root_path"])
    library = Library(**{k: v for k, v in data.items() if k in EDITABLE_FIELDS})
    library.root_path = str(root)
    if library.is_default or not Library.objects.exists():
        library.is_default = True
        Library.objects.filter(is_default=True).update(is_default=False)
    library.save()
    logger.info("Library created: %s", library)
    return library


@transaction.atomic
def update_library(library: Library, data: dict[str, Any]) -> Library:
    """Apply a partial update. A new root moves the tracks' stored paths along with it (their
    layout under the root is kept; the next scan confirms or corrects it)."""
    old_root = library.root_path
    if "name" in data:
        refuse_taken_name(data["name"], exclude=library)
    for key, value in data.items():
        if key in EDITABLE_FIELDS and key != "root_path":
            setattr(library, key, value)
    if "root_path" in data:
        library.root_path = str(validate_root(data["root_path"], exclude=library))
    if data.get("is_default"):
        Library.objects.filter(is_default=True).exclude(pk=library.pk).update(is_default=False)
    library.save()
    if library.root_path != old_root:
        _rebase_tracks(library)
    return library


def refuse_taken_name(name: str, exclude: Library | None = None) -> None:
    """Two libraries with one name (letter case aside) could not be told apart in the menu,
    the pages or a script's output: refuse the second."""
    others = Library.objects.filter(name__iexact=name.strip())
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if others.exists():
        raise Conflict(
            f"A library named '{name.strip()}' already exists; choose another name.", field="name"
        )


def _rebase_tracks(library: Library) -> None:
    """Rewrite the tracks' paths under the new root, in two passes so no intermediate path
    collides with another row's (the unique index is checked row by row)."""
    rows = Track.objects.filter(library=library).only("id", "relative_path").order_by("pk")
    for final in (False, True):
        last = 0
        while batch := list(rows.filter(pk__gt=last)[:CHUNK_SIZE]):
            last = batch[-1].pk
            for track in batch:
                if final:
                    track.path = os.path.join(library.root_path, track.relative_path)
                else:
                    track.path = f"nomarr-rebase:{track.pk}"
            Track.objects.bulk_update(batch, ["path"])


def delete_library(library: Library) -> int:
    """Remove the library and Nomarr's rows about its files (never the files); returns how
    many tracks were forgotten.

    Its unfinished jobs are cancelled first, in the same transaction, with a message saying
    why: pending ones at once, running ones at their runner's next check (a failure caused
    by the rows going away then also ends as that cancel, not as a raw database error).
    """
    tracks = Track.objects.filter(library=library).count()
    with transaction.atomic():
        its_tracks = Track.objects.filter(library=library).values("pk")
        active = Job.objects.active().filter(
            Q(subject_type=subjects.LIBRARY, subject_id=library.pk)
            | Q(subject_type=subjects.TRACK, subject_id__in=its_tracks)
        )
        cancel(list(active.values_list("pk", flat=True)), reason=removed_message(library))
        library.delete()
    logger.info("Library deleted: %s (%d tracks forgotten)", library, tracks)
    return tracks


def removed_message(library: Library) -> str:
    return f"Library {library.name} was removed"


def library_stats(library_id: int | None = None) -> dict[str, Any]:
    tracks = Track.objects.all()
    if library_id is not None:
        tracks = tracks.filter(library_id=library_id)
    totals = tracks.aggregate(
        total_files=Count("id"),
        unique_artists=Count("artist", distinct=True, filter=~Q(artist="")),
        total_duration_seconds=Sum("duration"),
    )
    albums = tracks.exclude(album="").values("album_artist", "album").distinct().count()
    return {
        "total_files": totals["total_files"],
        "unique_artists": totals["unique_artists"],
        "unique_albums": albums,
        "total_duration_seconds": round(float(totals["total_duration_seconds"] or 0.0), 3),
    }


def with_overview(libraries: QuerySet[Library]) -> QuerySet[Library]:
    """The libraries annotated with what the Libraries page shows beside each: how many files
    it knows, how many are tagged, and its latest scan job (id, status, when it last moved)."""
    scans = Job.objects.filter(
        kind="scan", subject_type=subjects.LIBRARY, subject_id=OuterRef("pk")
    ).order_by("-created_at", "-id")
    return libraries.annotate(
        file_count=Count("tracks", distinct=True),
        tagged_count=Count("tracks", distinct=True, filter=~Q(tracks__tagged_version="")),
        last_scan_id=Subquery(scans.values("id")[:1]),
        last_scan_status=Subquery(scans.values("status")[:1]),
        last_scan_at=Subquery(
            scans.annotate(at=Coalesce("finished_at", "started_at", "created_at")).values("at")[:1]
        ),
    )


@dataclass(frozen=True)
class QueuedScan:
    job_id: int
    created: bool
    message: str


def request_scan(
    library: Library,
    paths: list[str] | None = None,
    *,
    recursive: bool = True,
    force: bool = False,
    clean_missing: bool = False,
) -> QueuedScan:
    """Queue one `scan` job for folders/files inside `library` (default: its whole root).

    Paths are checked here (`PathRefused` subclasses), so a bad request fails at once rather
    than in the worker. An identical scan already pending or running is reused.
    """
    if not library.is_enabled:
        raise LibraryDisabled(f"Library '{library.name}' is disabled; enable it to scan.")
    resolved = sorted({str(resolve_inside_roots(p, roots=[library])[0]) for p in paths or []})
    with transaction.atomic():
        before = _active_scan_ids(library)
        job = queue_scan(
            library, resolved, recursive=recursive, force=force, clean_missing=clean_missing
        )
    created = job.pk not in before
    where = f"{len(resolved)} path(s) in" if resolved else "all of"
    if created:
        message = f"Queued a scan of {where} library '{library.name}' (job {job.pk})"
    else:
        message = f"The same scan of library '{library.name}' is already queued (job {job.pk})"
    return QueuedScan(job.pk, created, message)


def _active_scan_ids(library: Library) -> set[int]:
    scans = Job.objects.active().for_subject(Subject.of(library)).filter(kind="scan")
    return set(scans.values_list("id", flat=True))

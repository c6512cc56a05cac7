"""Job kind `scan`: runs the library scanner in a worker, reports progress to the job and the
`library` event room, and queues new or changed files for tagging when auto-tag is on (or
every file under the scanned folders when the payload says `"tag": "all"`).

`queue_scan` is the one way to queue it: payload `ScanPayload`, dedup key
`scan:<library id>:<digest of paths and recursive>`, subject `library.library:<id>`. A second
request for the same folders is merged into the pending scan (flags are OR-ed), so a folder
asked for by the Processing page, by Lidarr and by a library scan is scanned once.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal, TypedDict

from django.db import transaction
from django.db.models import Q

from jobs import registry
from jobs.models import Job
from jobs.registry import register
from jobs.runner import JobFailed, JobRunner
from jobs.services.enqueue import enqueue
from jobs.subjects import Subject
from library import subjects
from library.checks import models_dir
from library.models import Library, Track
from library.scanning.scanner import ScanHooks, ScanSummary, scan_library
from library.tagging.model_suite import discover
from library.tagging.tag_job import queue_tag
from nomarr_site import config
from nomarr_site.events.envelope import ScanResultData
from nomarr_site.events.sender import SCAN_COMPLETE, SCAN_PROGRESS

# Cancellation is a database read: ask at most this often, not once per file.
CANCEL_CHECK_SECONDS = 0.5
EVENT_SECONDS = 0.5
# Tracks read (and their tag jobs committed) per round trip of a folder request.
PAGE_SIZE = 500
NO_MODELS = (
    "No usable models yet, so the new and changed tracks were not queued for tagging. Fetch "
    "the models (dashboard), then tag the library."
)


class _ScanScope(TypedDict):
    library_id: int
    paths: list[str]  # resolved and sorted; empty: the whole library
    recursive: bool
    force: bool  # re-read files whose size and mtime did not change
    clean_missing: bool  # forget tracks whose files are gone


# `total=False` rather than NotRequired: with postponed annotations Python 3.11 would count
# NotRequired keys as required.
class ScanPayload(_ScanScope, total=False):
    tag: Literal["", "all"]  # "all": then queue every file under `paths`
    tag_force: bool  # with tag "all": re-tag files already up to date


# The flags a merged scan does if either request asked for it.
MERGED_FLAGS = ("force", "clean_missing", "tag_force")


def scan_dedup_key(payload: Mapping[str, Any]) -> str:
    """One key per library, folder set and depth: what the scan covers, not how it is asked."""
    scope = json.dumps([sorted(payload.get("paths") or []), bool(payload.get("recursive", True))])
    digest = hashlib.sha256(scope.encode()).hexdigest()[:16]
    return f"scan:{payload['library_id']}:{digest}"


def scan_subject(payload: Mapping[str, Any]) -> Subject:
    return Subject(subjects.LIBRARY, int(payload["library_id"]))


def merge_scans(queued: Mapping[str, Any], request: Mapping[str, Any]) -> dict[str, Any]:
    """A scan doing what both ask (same folders): each flag either asked for, and tagging all
    files if either did."""
    merged = dict(queued)
    for flag in MERGED_FLAGS:
        if request.get(flag) and not queued.get(flag):
            merged[flag] = True
    if request.get("tag") == "all":
        merged["tag"] = "all"
    return merged


def queue_scan(
    library: Library,
    paths: list[str],
    *,
    recursive: bool = True,
    force: bool = False,
    clean_missing: bool = False,
    tag_all: bool = False,
    tag_force: bool = False,
) -> Job:
    """Queue a scan of `paths` (resolved inside `library`; empty: all of it), or fold the
    request into the same folders' pending scan; a running scan that already does all of it
    is returned as it is."""
    payload: ScanPayload = {
        "library_id": library.pk,
        "paths": sorted(set(paths)),
        "recursive": recursive,
        "force": force,
        "clean_missing": clean_missing,
    }
    if tag_all:
        payload["tag"] = "all"
        payload["tag_force"] = tag_force
    where = payload["paths"][0] if len(payload["paths"]) == 1 else library.root_path
    return enqueue("scan", payload=payload, path=where, force=force)


@register(
    "scan",
    concurrency=1,
    max_attempts=1,
    payload=ScanPayload,
    dedup_key=scan_dedup_key,
    subject=scan_subject,
    merge=merge_scans,
)
class ScanRunner(JobRunner):
    """Scans `ScanPayload`'s folders of its library, then queues tag jobs."""

    def run(self) -> dict:
        library_id = self.payload.get("library_id")
        library = Library.objects.filter(pk=int(library_id or 0)).first()
        if library is None:
            raise JobFailed(f"Library {library_id} no longer exists")
        if not library.is_enabled:
            raise JobFailed(f"Library '{library.name}' is disabled; enable it to scan")
        self.library = library
        self.auto_tag = bool(config.get("library_auto_tag")) and registry.get("tag") is not None
        # Before any model is in place every tag job would fail at once: one error per track
        # of a first scan. The scan says so instead; tagging the library later queues them.
        self.no_models = self.auto_tag and not discover(models_dir()).heads
        self.auto_tag = self.auto_tag and not self.no_models
        self.tag_job_ids: set[int] = set()
        self._last_cancel_check = self._last_event = 0.0
        started = time.monotonic()
        summary = scan_library(
            library,
            self.payload.get("paths") or None,
            recursive=bool(self.payload.get("recursive", True)),
            force=bool(self.payload.get("force", False)),
            clean_missing=bool(self.payload.get("clean_missing", False)),
            hooks=ScanHooks(self._progress, self._checkpoint, self._queue_tagging),
        )
        if self.payload.get("tag") == "all":
            self._queue_all_under(self.payload.get("paths") or [library.root_path])
        if self.no_models and summary.changed_track_ids:
            summary.problems.append({"path": str(models_dir()), "reason": NO_MODELS})
        result = self._result(summary)
        duration = round(time.monotonic() - started, 3)
        SCAN_COMPLETE.send(
            {"job_id": self.job.pk, "duration": duration, **result},
        )
        return dict(result)

    def _result(self, summary: ScanSummary) -> ScanResultData:
        return {
            "library_id": self.library.pk,
            **summary.counters(),
            "changed": len(summary.changed_track_ids),
            "tag_jobs_queued": len(self.tag_job_ids),
            "temp_files_removed": summary.temp_files_removed,
            "problems": summary.problems,
        }

    def _checkpoint(self) -> None:
        now = time.monotonic()
        if now - self._last_cancel_check >= CANCEL_CHECK_SECONDS:
            self._last_cancel_check = now
            self.check_cancelled()

    def _progress(self, summary: ScanSummary, fraction: float, expected: int) -> None:
        counters = summary.counters()
        message = f"{summary.scanned} files scanned, {summary.added} new, {summary.errors} errors"
        self.progress(fraction=fraction, message=message, force=fraction >= 1.0, **counters)
        now = time.monotonic()
        if fraction >= 1.0 or now - self._last_event >= EVENT_SECONDS:
            self._last_event = now
            SCAN_PROGRESS.send(
                {
                    "job_id": self.job.pk,
                    "library_id": self.library.pk,
                    "total": max(expected, summary.scanned),
                    "fraction": round(fraction, 4),
                    "message": message,
                    **counters,
                },
            )

    def _queue_tagging(self, tracks: list[Track]) -> None:
        if not self.auto_tag:
            return
        self._enqueue_tags(tracks, force=False)

    def _enqueue_tags(self, tracks: Iterable[Track], force: bool) -> None:
        for track in tracks:
            job = queue_tag(track.path, library=self.library, track=track, force=force)
            # A folder request after auto-tag meets the same jobs again (deduplicated): count
            # each job once.
            self.tag_job_ids.add(job.pk)

    def _queue_all_under(self, paths: list[str]) -> None:
        """Folder requests (Lidarr's rename/retag, picked folders): every readable track under
        the scanned paths is queued; the tag job itself skips files already up to date."""
        force = bool(self.payload.get("tag_force", False))
        for folder in paths:
            for page in self._pages_under(folder):
                self._checkpoint()
                # One transaction per page: the jobs commit together and wake the workers
                # once, instead of one commit and one broker round trip per track.
                with transaction.atomic():
                    self._enqueue_tags(page, force=force)

    def _pages_under(self, folder: str) -> Iterator[list[Track]]:
        """The readable tracks under `folder` in path order, a page at a time (keyset paging).

        Each page is read in full before anything is enqueued: enqueueing goes through the
        broker, and django-q2's ORM broker closes connections older than CONN_MAX_AGE, which
        would kill an open cursor (`.iterator()`) under our feet."""
        prefix = folder.rstrip(os.sep) + os.sep
        tracks = (
            Track.objects.filter(library=self.library, is_readable=True)
            .filter(Q(path=folder) | Q(path__startswith=prefix))
            .order_by("path")
        )
        last = None
        while True:
            rows = tracks if last is None else tracks.filter(path__gt=last)
            page = list(rows[:PAGE_SIZE])
            if not page:
                return
            last = page[-1].path
            # SQLite's LIKE ignores case: keep only paths under the folder exactly.
            yield [t for t in page if t.path == folder or t.path.startswith(prefix)]

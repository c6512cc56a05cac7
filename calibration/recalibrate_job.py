"""Job kinds `recalibrate` (re-tags one track from its stored scores with the calibration in
effect, no inference) and `recalibrate_all` (queues a `recalibrate` job per tagged track), and
`apply`/`status`/`clear` for the calibration queue.

`queue_recalibrate` is the one way to queue a `recalibrate` job: payload `RecalibratePayload`
({"track_id"}), dedup key `recalibrate:<track id>`, subject the track (`library.track:<id>`).
`apply` is the one way to queue `recalibrate_all`: an empty payload, dedup key
`recalibrate_all`, no subject. Queueing 100,000 jobs takes minutes, so it happens in a worker,
with progress, and the request answers at once with the number of files."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypedDict

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, QuerySet

from calibration.retag import NotRecalibratable, retag
from jobs.models import Job
from jobs.registry import register
from jobs.runner import JobFailed, JobRunner
from jobs.services.enqueue import enqueue
from jobs.services.workers import cluster_summary
from jobs.subjects import Subject
from library import subjects
from library.models import Track, TrackScore
from library.tagfiles.errors import FileChanged, TagFileError
from library.tagging.tag_job import queue_tag

KIND = "recalibrate"
ALL_KIND = "recalibrate_all"
PAGE_SIZE = 500


class RecalibratePayload(TypedDict):
    track_id: int


def recalibrate_dedup_key(payload: Mapping[str, Any]) -> str:
    return f"{KIND}:{payload['track_id']}"


def recalibrate_subject(payload: Mapping[str, Any]) -> Subject:
    return Subject(subjects.TRACK, int(payload["track_id"]))


def queue_recalibrate(track: Track) -> Job:
    payload: RecalibratePayload = {"track_id": track.pk}
    return enqueue(KIND, payload=payload, path=track.path)


def tagged_tracks() -> QuerySet[Track]:
    """Tracks tagged before and holding stored scores: what a recalibration can rewrite."""
    scored = TrackScore.objects.filter(track=OuterRef("pk"))
    return Track.objects.exclude(tagged_version="").filter(Exists(scored))


class ApplyPayload(TypedDict):
    pass


def apply_dedup_key(payload: Mapping[str, Any]) -> str:
    return ALL_KIND


def apply() -> tuple[int, Job]:
    """Queue the recalibration of every tagged track: (how many files, the job queueing them)."""
    payload: ApplyPayload = {}
    return tagged_tracks().count(), enqueue(ALL_KIND, payload=payload)


def queue_pages(on_page: Callable[[int], None]) -> int:
    """Queue a `recalibrate` job per tagged track, a page of ids per transaction."""
    queued, last = 0, 0
    while True:
        page = list(
            tagged_tracks().filter(pk__gt=last).order_by("pk").only("pk", "path")[:PAGE_SIZE]
        )
        if not page:
            return queued
        with transaction.atomic():
            for track in page:
                queue_recalibrate(track)
        queued += len(page)
        last = page[-1].pk
        on_page(queued)


def status() -> dict[str, Any]:
    """The calibration queue (recalibrate jobs) by status, and the workers' state."""
    rows = Job.objects.filter(kind=KIND).values_list("status").annotate(n=Count("id")).order_by()
    by_status = dict(rows)
    running = by_status.get(Job.Status.RUNNING, 0)
    return {
        "pending": by_status.get(Job.Status.PENDING, 0),
        "running": running,
        "completed": by_status.get(Job.Status.DONE, 0),
        "errors": by_status.get(Job.Status.ERROR, 0),
        "worker_alive": bool(cluster_summary().get("alive")),
        "worker_busy": running > 0,
    }


def clear() -> int:
    """Cancel the pending recalibrations (running ones finish their one file) and stop the job
    still queueing them; the number of files cancelled."""
    reason = "Cleared from the calibration queue"
    fan_out = Job.objects.filter(kind=ALL_KIND)
    fan_out.cancel_pending(reason)
    fan_out.flag_running(reason)
    return Job.objects.filter(kind=KIND).cancel_pending(reason)


@register(
    KIND,
    concurrency=2,
    max_attempts=1,
    payload=RecalibratePayload,
    dedup_key=recalibrate_dedup_key,
    subject=recalibrate_subject,
)
class RecalibrateRunner(JobRunner):
    def run(self) -> dict:
        track = Track.objects.filter(pk=self.payload["track_id"]).first()
        if track is None:
            raise JobFailed("The track is no longer in the library")
        try:
            outcome = retag(track)
        except FileChanged as exc:
            queue_tag(track.path, track=track)
            raise JobFailed(f"{exc}; not rewritten, queued for tagging again") from exc
        except (NotRecalibratable, TagFileError) as exc:
            raise JobFailed(str(exc)) from exc
        self.progress(1.0, f"{outcome.status} ({outcome.version})", force=True)
        return {
            "path": outcome.path,
            "status": outcome.status,
            "version": outcome.version,
            "changed": list(outcome.changed),
        }


@register(ALL_KIND, max_attempts=1, payload=ApplyPayload, dedup_key=apply_dedup_key)
class RecalibrateAllRunner(JobRunner):
    total = 1

    def run(self) -> dict:
        self.total = max(1, tagged_tracks().count())
        queued = queue_pages(self._page)
        self.progress(1.0, f"Queued {queued} files for recalibration", force=True)
        return {"queued": queued}

    def _page(self, queued: int) -> None:
        self.check_cancelled()
        self.progress(min(1.0, queued / self.total), f"{queued} files queued")

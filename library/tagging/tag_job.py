"""Job kind `tag`: tags one audio file in a worker process.

`queue_tag` is the one way to queue it: payload `TagPayload` ({"path"}: a file inside a library
root), dedup key `tag:<path>`, subject the file's track (`library.track:<id>`) once the library
knows it, else its library. `force` on the job re-tags a file whose `<ns>:version` is current.
The loaded TensorFlow graphs stay cached in the worker process between jobs; `POST
/admin/cache/refresh` bumps a generation number in the database that every worker compares
before its next job, so all of them reload."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, TypedDict

from jobs.hooks import register_cache_refresh
from jobs.models import Job
from jobs.registry import EVERY_WORKER, register
from jobs.runner import JobFailed, JobRunner, RetryableError
from jobs.services.enqueue import enqueue
from jobs.subjects import Subject, resolve
from library import subjects
from library.models import Library, Track
from library.paths import PathRefused
from library.tagfiles.errors import FileChanged, TagFileError
from library.tagging.cache import default_cache
from library.tagging.steps import DecodeError, InferenceError
from library.tagging.tag_file import NoUsableModels, ensure_track, tag_track
from nomarr_site.models import AppSetting

CACHE_GENERATION_KEY = "internal.model_cache_generation"
_seen_generation: list[str | None] = [None]


def _cache_generation() -> str | None:
    row = AppSetting.objects.filter(key=CACHE_GENERATION_KEY).first()
    return str(row.value) if row else None


def refresh_model_cache() -> str:
    """Ask every worker to reload its models before its next tagging job."""
    AppSetting.objects.update_or_create(
        key=CACHE_GENERATION_KEY, defaults={"value": uuid.uuid4().hex}
    )
    cleared = default_cache.clear()
    return f"Model cache cleared here ({cleared} graphs); workers reload before their next job"


def reload_if_asked() -> None:
    generation = _cache_generation()
    if generation != _seen_generation[0]:
        if _seen_generation[0] is not None:
            default_cache.clear()
        _seen_generation[0] = generation


register_cache_refresh("tagging models", refresh_model_cache)


class TagPayload(TypedDict):
    path: str  # the file, resolved inside a library root


def tag_dedup_key(payload: Mapping[str, Any]) -> str:
    """One active tag job per file, however it was asked for (by path or by track)."""
    return f"tag:{payload['path']}"


def tag_subject(payload: Mapping[str, Any]) -> Subject | None:
    """The file's track, when the library knows it."""
    pk = Track.objects.filter(path=payload["path"]).values_list("pk", flat=True).first()
    return None if pk is None else Subject(subjects.TRACK, pk)


def queue_tag(
    path: str,
    *,
    library: Library | None = None,
    track: Track | None = None,
    force: bool = False,
    priority: str = "NORMAL",
) -> Job:
    """Queue `path` (already resolved inside `library`'s root) for tagging; the pending or
    running tag job of the same file is returned instead of a second one."""
    payload: TagPayload = {"path": path}
    subject = Subject.of(track) if track is not None else tag_subject(payload)
    if subject is None and library is not None:
        subject = Subject.of(library)
    return enqueue(
        "tag", payload=payload, path=path, subject=subject, priority=priority, force=force
    )


@register(
    "tag",
    concurrency=EVERY_WORKER,
    max_attempts=3,
    payload=TagPayload,
    dedup_key=tag_dedup_key,
    subject=tag_subject,
)
class TagRunner(JobRunner):
    """One file per job, one job per worker process of every machine by default
    (`NOMARR_CONCURRENCY_TAG` caps them all together). A cap at one machine's worker count left
    the other machines' workers idle, and a dead machine's jobs held the cap until the sweep
    returned them.
    One track's analysis keeps only about 1.5 of 2 cores busy (decoding is single-threaded and
    EfficientNet does not scale to every thread), so jobs run side by side; see
    benchmarks/tagging.py."""

    def run(self) -> dict:
        reload_if_asked()
        try:
            track = self._track()
            outcome = tag_track(track, force=self.job.force, step=self._step)
        except FileChanged as exc:
            # The user edited the file while it was analysed: analyse the new contents.
            raise RetryableError(f"{exc} It will be analysed again.") from exc
        except (TagFileError, DecodeError, InferenceError, NoUsableModels) as exc:
            raise TaggingFailed(str(exc)) from exc
        except FileNotFoundError as exc:  # ensure_track: the file is gone or is not audio
            raise TaggingFailed(str(exc)) from exc
        summary = {
            "skipped": "already tagged with the current models",
            "tagged": f"tagged by {outcome.heads} models"
            + ("; tags written" if outcome.written else "; scores stored"),
        }[outcome.status]
        self.progress(1.0, summary, force=True)
        return outcome.as_result()

    def _track(self) -> Track:
        path = self.payload.get("path") or self.job.path
        if not path:
            raise TaggingFailed("The job names no file")
        subject = self.job.subject
        known = resolve(subject) if subject else None
        try:
            track = ensure_track(path, known if isinstance(known, Library) else None)
        except PathRefused as exc:  # its library was removed, or the path left the roots
            raise TaggingFailed(str(exc)) from exc
        linked = Subject.of(track)
        if subject != linked:  # a file the library had not seen when it was queued
            self.job.set_subject(linked)
        return track

    def _step(self, message: str) -> None:
        self.check_cancelled()
        self.progress(message=message, force=True)


class TaggingFailed(JobFailed):
    """A failure with a message meant for the user (shown as the job's error)."""

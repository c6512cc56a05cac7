"""Queueing files and folders for tagging, shared by the API, Lidarr's webhook and the CLI.

Every path goes through `library.paths.resolve_inside_roots` first: nothing outside the
configured library roots is ever queued. A file becomes one `tag` job (`queue_tag`); a folder
becomes one `scan` job (`queue_scan`, merged with a pending scan of the same folder) that then
queues a `tag` job for each of its audio files, so the library learns about new and moved
files first.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jobs.models import Job
from library.paths import PathRefused, resolve_inside_roots
from library.scanning.scan_job import queue_scan
from library.tagging.tag_job import queue_tag
from nomarr_site.domain import Invalid

logger = logging.getLogger(__name__)


@dataclass
class QueueReport:
    jobs: list[Job] = field(default_factory=list)
    refused: list[dict[str, str]] = field(default_factory=list)

    @property
    def queued(self) -> int:
        return len(self.jobs)

    def as_dict(self) -> dict[str, Any]:
        return {
            "queued": self.queued,
            "job_ids": [job.pk for job in self.jobs],
            "refused": self.refused,
            "message": self.message(),
        }

    def message(self) -> str:
        text = f"Queued {self.queued} job{'s' if self.queued != 1 else ''}"
        if self.refused:
            text += f"; refused {len(self.refused)} path{'s' if len(self.refused) != 1 else ''}"
        return text


def queue_file(path: str, *, force: bool = False, priority: str = "NORMAL") -> Job:
    """Queue one file (it must lie inside a library) for tagging; a refused `path` is named as
    the request field it came from."""
    resolved, library = resolve_inside_roots(path, field="path")
    if not resolved.is_file():
        raise NotAFile(f"Not a file: {path}", path)
    _refuse_unreadable(resolved, path)
    return queue_tag(str(resolved), library=library, priority=priority, force=force)


def queue_folder(path: str, *, force: bool = False, recursive: bool = True) -> Job:
    """Queue a folder: rescan it (picking up new, changed and moved files), then tag its files."""
    resolved, library = resolve_inside_roots(path)
    if not resolved.is_dir():
        raise NotAFile(f"Not a folder: {path}", path)
    return queue_scan(
        library,
        [str(resolved)],
        recursive=recursive,
        clean_missing=True,
        tag_all=True,
        tag_force=force,
    )


def queue_paths(paths: list[str], *, force: bool = False, recursive: bool = True) -> QueueReport:
    """Queue files and folders; paths that are refused are reported, never raised."""
    report = QueueReport()
    for path in paths:
        try:
            resolved, _library = resolve_inside_roots(path)
            if os.path.isdir(resolved):
                report.jobs.append(queue_folder(path, force=force, recursive=recursive))
            else:
                report.jobs.append(queue_file(path, force=force))
        except (PathRefused, NotAFile) as exc:
            logger.warning("Refused to queue %s: %s", path, exc)
            report.refused.append({"path": str(path), "reason": str(exc)})
    return report


def _refuse_unreadable(path: Path, given: str) -> None:
    """Refuse now, with the reason, a file whose tag job could only fail: an empty one, or one
    this process cannot open (`given` is the path as the caller wrote it)."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError as exc:
        raise UnusableFile(f"Cannot read the file: {path} ({exc.strerror})", given) from None
    try:
        if os.fstat(descriptor).st_size == 0:
            raise UnusableFile(f"The file is empty (0 bytes): {path}", given)
    finally:
        os.close(descriptor)


class NotAFile(Invalid):
    """A path of the wrong kind (a folder where a file is needed, or the reverse)."""

    def __init__(self, message: str, path: str):
        super().__init__(message, details={"path": path})


class UnusableFile(NotAFile):
    """A file that cannot be tagged as it is (empty or unreadable); refused like a path of the
    wrong kind, so every caller reports it the same way."""

"""The library scanner: walks a library root (or folders and files inside it) and keeps one
`Track` row per audio file, in chunked bulk writes.

Unchanged files (same size and mtime) are skipped without opening them; a file that moved
inside the library keeps its row (and its scores); with `clean_missing` the rows of files that
are gone are deleted, only under the scanned paths, and never under a folder that is empty
altogether (an unmounted share). Unreadable files keep a row with the reason.
In each folder it reads, it removes the tag writer's temporary copies abandoned over an hour ago.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TypedDict

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from library.models import Library, Track
from library.paths import resolve_inside_roots
from library.scanning.track_fields import (
    SCANNED_FIELDS,
    is_storable,
    readable_path,
    stream_fields,
)
from library.scanning.walk import AudioWalk, FoundFile
from library.tagfiles.errors import TagFileError
from library.tagfiles.reader import read_tags
from library.tagfiles.tempfiles import remove_abandoned
from nomarr_site import config
from nomarr_site.events.envelope import ScanCountsData

logger = logging.getLogger(__name__)

CHUNK_SIZE = 500
PROGRESS_EVERY = 50
MAX_PROBLEMS = 100
# A moved file keeps its duration; allow for rounding between readers.
MOVE_DURATION_TOLERANCE = 0.05
# A temporary copy this old belongs to no running write (a write takes seconds); younger ones
# may be a writer's on another machine, where our lock check cannot see its lock.
TEMP_FILE_MAX_AGE = 3600


class _MoveCandidate(TypedDict):
    """The columns of a known track that `_find_moves` compares with a new file."""

    id: int
    path: str
    size: int
    mtime: float
    duration: float | None
    title: str
    artist: str


@dataclass
class ScanSummary:
    scanned: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    moved: int = 0
    removed: int = 0
    errors: int = 0
    temp_files_removed: int = 0  # the tag writer's abandoned temporary copies
    changed_track_ids: list[int] = field(default_factory=list)
    problems: list[dict[str, str]] = field(default_factory=list)

    def counters(self) -> ScanCountsData:
        return ScanCountsData(
            scanned=self.scanned,
            added=self.added,
            updated=self.updated,
            unchanged=self.unchanged,
            moved=self.moved,
            removed=self.removed,
            errors=self.errors,
        )

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class ScanHooks:
    """How a caller follows a scan. `progress(summary, fraction, expected_files)` runs every
    few files and at the end; `checkpoint` runs between files and may raise to stop the scan;
    `on_changed` receives the new or changed readable tracks after each chunk is written."""

    progress: Callable[[ScanSummary, float, int], None] | None = None
    checkpoint: Callable[[], None] | None = None
    on_changed: Callable[[list[Track]], None] | None = None


def scan_library(
    library: Library,
    paths: Iterable[str | Path] | None = None,
    *,
    recursive: bool = True,
    force: bool = False,
    clean_missing: bool = False,
    hooks: ScanHooks | None = None,
) -> ScanSummary:
    """Scan `paths` (folders or files inside the library; default its whole root)."""
    scanner = LibraryScanner(library, recursive, force, clean_missing, hooks or ScanHooks())
    return scanner.run(paths)


class LibraryScanner:
    def __init__(
        self, library: Library, recursive: bool, force: bool, clean_missing: bool, hooks: ScanHooks
    ):
        self.library = library
        self.root = library.root_path
        self.recursive = recursive
        self.force = force
        self.clean_missing = clean_missing
        self.hooks = hooks
        self.started = timezone.now()
        self.namespace = config.get("namespace")
        self.summary = ScanSummary()
        self.walk = AudioWalk(self.root, recursive, self._problem)
        # A library without rows has nothing that could have moved.
        self.had_tracks = Track.objects.filter(library=library).exists()
        self._swept_folder: str | None = None

    def run(self, paths: Iterable[str | Path] | None) -> ScanSummary:
        starts = self._starts(paths)
        expected = self._expected(starts)
        chunk: list[FoundFile] = []
        for start in starts:
            for found in self.walk.files(start):
                self._checkpoint()
                self._sweep_temp_files(os.path.dirname(found.path))
                chunk.append(found)
                self.summary.scanned += 1
                if len(chunk) >= CHUNK_SIZE:
                    self._flush(chunk)
                    chunk = []
                if self.summary.scanned % PROGRESS_EVERY == 0:
                    self._progress(expected)
        self._flush(chunk)
        if self.clean_missing:
            for start in starts:
                if _looks_unmounted(start):
                    self._problem(start, UNMOUNTED)
                else:
                    self._clean(start)
        self._progress(expected, done=True)
        logger.info("Scanned %s: %s", self.library, self.summary.counters())
        if self.summary.temp_files_removed:
            logger.info(
                "Scan of %s removed %d abandoned temporary tag-writer file(s)",
                self.library,
                self.summary.temp_files_removed,
            )
        return self.summary

    def _sweep_temp_files(self, folder: str) -> None:
        """Remove the writer's abandoned copies once per folder (the walk yields a folder's
        files together); a copy sits beside its audio file, so folders with audio suffice."""
        if folder == self._swept_folder:
            return
        self._swept_folder = folder
        removed = remove_abandoned(folder, min_age=TEMP_FILE_MAX_AGE)
        self.summary.temp_files_removed += len(removed)

    def _starts(self, paths: Iterable[str | Path] | None) -> list[str]:
        """Absolute start points under the stored root, de-duplicated and never nested."""
        if not paths:
            return [self.root]
        real_root = Path(os.path.realpath(self.root))
        starts = set()
        for item in paths:
            resolved, _library = resolve_inside_roots(str(item), roots=[self.library])
            relative = resolved.relative_to(real_root)
            starts.add(os.path.normpath(os.path.join(self.root, relative)))
        kept: list[str] = []
        for start in sorted(starts):
            if not any(start.startswith(k.rstrip(os.sep) + os.sep) for k in kept):
                kept.append(start)
        return kept

    def _under(self, start: str) -> Q:
        return Q(path=start) | Q(path__startswith=start.rstrip(os.sep) + os.sep)

    def _expected(self, starts: list[str]) -> int:
        """How many files to expect, for the progress fraction: the rows already known, or on a
        first scan a quick count (names only, no stat, no mutagen)."""
        query = Q()
        for start in starts:
            query |= self._under(start)
        known = Track.objects.filter(query, library=self.library).count()
        if known:
            return known
        counter = AudioWalk(self.root, self.recursive)
        return sum(1 for start in starts for _ in counter.files(start, with_stat=False))

    def _checkpoint(self) -> None:
        if self.hooks.checkpoint is not None:
            self.hooks.checkpoint()

    def _progress(self, expected: int, done: bool = False) -> None:
        if self.hooks.progress is None:
            return
        fraction = 1.0 if done else min(0.99, self.summary.scanned / expected) if expected else 0.0
        self.hooks.progress(self.summary, fraction, expected)

    def _problem(self, path: str, reason: str) -> None:
        self.summary.errors += 1
        logger.warning("Scan of %s: %s: %s", self.library.name, readable_path(path), reason)
        if len(self.summary.problems) < MAX_PROBLEMS:
            self.summary.problems.append({"path": readable_path(path), "reason": reason})

    def _read(self, found: FoundFile, db_path: str) -> dict:
        if db_path != found.path:
            reason = "The file name is not valid UTF-8; rename the file so Nomarr can use it."
        else:
            try:
                # Any audio mutagen knows, checked from headers only (cheap enough for every
                # file of a large library); the whole-file check is the tagger's.
                tags = read_tags(
                    found.path, self.namespace, "quick", any_format=True, size=found.size
                )
                return stream_fields(tags)
            except TagFileError as exc:
                reason = str(exc)
            except Exception as exc:  # a mutagen bug on one odd file must not stop the scan
                logger.exception("Unexpected error reading %s", db_path)
                reason = f"Unexpected error while reading: {exc}"
        self._problem(found.path, reason)
        return stream_fields(None, reason)

    def _flush(self, chunk: list[FoundFile]) -> None:
        if not chunk:
            return
        pairs = [(f, f.path if is_storable(f.path) else readable_path(f.path)) for f in chunk]
        existing = {
            row[0]: row[1:]
            for row in Track.objects.filter(path__in=[p for _, p in pairs]).values_list(
                "path", "id", "size", "mtime"
            )
        }
        now = timezone.now()
        creates: list[Track] = []
        updates: list[Track] = []
        unchanged: list[int] = []
        for found, db_path in pairs:
            row = existing.get(db_path)
            if row and not self.force and row[1] == found.size and row[2] == found.mtime:
                unchanged.append(row[0])
                continue
            self._checkpoint()  # reading is the slow part: let a cancel in between files
            track = Track(
                library=self.library,
                path=db_path,
                relative_path=os.path.relpath(db_path, self.root),
                size=found.size,
                mtime=found.mtime,
                last_seen_scan=self.started,
                updated_at=now,
                **self._read(found, db_path),
            )
            if row:
                track.id = row[0]
                updates.append(track)
            else:
                creates.append(track)
        moved = self._find_moves(creates)
        creates = [t for t in creates if t.id is None]
        self._write(creates, updates + moved, unchanged)
        self.summary.added += len(creates)
        self.summary.updated += len(updates)
        self.summary.moved += len(moved)
        self.summary.unchanged += len(unchanged)
        changed = [t for t in creates + updates if t.is_readable]
        self.summary.changed_track_ids.extend(t.id for t in changed)
        if changed and self.hooks.on_changed is not None:
            self.hooks.on_changed(changed)

    def _write(self, creates: list[Track], updates: list[Track], unchanged: list[int]) -> None:
        with transaction.atomic():
            Track.objects.bulk_create(creates, batch_size=CHUNK_SIZE)
            Track.objects.bulk_update(updates, SCANNED_FIELDS, batch_size=CHUNK_SIZE)
            if unchanged:
                Track.objects.filter(pk__in=unchanged).update(last_seen_scan=self.started)

    def _find_moves(self, creates: list[Track]) -> list[Track]:
        """New files that are a known track under a new name: same size, mtime, duration,
        title and artist, and the old path gone. They take over the old row's id."""
        readable = [t for t in creates if t.is_readable]
        if not readable or not self.had_tracks:
            return []
        candidates: dict[tuple[int, float], list[_MoveCandidate]] = {}
        rows = (
            Track.objects.filter(
                library=self.library,
                size__in={t.size for t in readable},
                mtime__in={t.mtime for t in readable},
            )
            .exclude(last_seen_scan=self.started)
            .values("id", "path", "size", "mtime", "duration", "title", "artist")
        )
        for row in rows:
            candidates.setdefault((row["size"], row["mtime"]), []).append(row)
        moved = []
        for track in readable:
            for row in candidates.get((track.size, track.mtime), []):
                if self._same_content(track, row) and _is_gone(row["path"]):
                    track.id = row["id"]
                    candidates[(track.size, track.mtime)].remove(row)
                    moved.append(track)
                    break
        return moved

    @staticmethod
    def _same_content(track: Track, row: _MoveCandidate) -> bool:
        if row["duration"] is None or track.duration is None:
            return False
        return (
            abs(row["duration"] - track.duration) <= MOVE_DURATION_TOLERANCE
            and row["title"] == track.title
            and row["artist"] == track.artist
        )

    def _clean(self, start: str) -> None:
        """Delete the rows of files under `start` that this scan did not see and that are gone.
        Files in folders the scan could not list are kept: they may still be there."""
        prefix = start.rstrip(os.sep) + os.sep
        failed = [d.rstrip(os.sep) + os.sep for d in self.walk.failed_dirs]
        rows = (
            Track.objects.filter(self._under(start), library=self.library)
            .exclude(last_seen_scan=self.started)
            .values_list("id", "path")
        )
        doomed: list[int] = []
        for track_id, path in rows.iterator(chunk_size=CHUNK_SIZE):
            self._checkpoint()
            if path != start and not path.startswith(prefix):
                continue  # SQLite's LIKE ignores case; the prefix must match exactly
            if path != start and not self.recursive and os.path.dirname(path) != start:
                continue
            if any(path.startswith(d) for d in failed) or not _is_gone(path):
                continue
            doomed.append(track_id)
        for offset in range(0, len(doomed), CHUNK_SIZE):
            Track.objects.filter(pk__in=doomed[offset : offset + CHUNK_SIZE]).delete()
        self.summary.removed += len(doomed)


# An unmounted share leaves an empty mount point: "every file is gone" is then a guess.
UNMOUNTED = (
    "The folder is empty (an unmounted share?): its tracks are kept, not forgotten. To forget "
    "them, remove the library, or add a file to the folder and scan again."
)


def _looks_unmounted(start: str) -> bool:
    """True for a folder with nothing in it at all (hidden entries included)."""
    try:
        with os.scandir(start) as entries:
            return next(entries, None) is None
    except NotADirectoryError:
        return False  # a single file was scanned
    except OSError:
        return True  # unreadable: as unsure as empty


def _is_gone(path: str) -> bool:
    """True only when the file certainly does not exist (not for permission errors)."""
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:
        return False
    return False

"""Streaming directory walk for the scanner: yields audio files one by one with os.scandir,
holding only the pending directories in memory, never the file list.

Loop safe (a directory is entered once, by device and inode, however many symlinks lead to
it), never leaves the library root through a symlink, and reports permission errors and other
problems through a callback instead of stopping.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass

from library.paths import is_inside
from library.tagfiles.formats import is_audio_name

ProblemCallback = Callable[[str, str], None]


@dataclass(frozen=True, slots=True)
class FoundFile:
    path: str  # as the OS gave it; a non-UTF-8 name carries surrogate escapes
    size: int
    mtime: float


class AudioWalk:
    """Iterate the audio files under `start` (a folder or one file) inside `root`."""

    def __init__(
        self, root: str, recursive: bool = True, on_problem: ProblemCallback | None = None
    ):
        self.root_real = os.path.realpath(root)
        self.recursive = recursive
        self.on_problem = on_problem or (lambda path, reason: None)
        self.failed_dirs: list[str] = []
        self._visited: set[tuple[int, int]] = set()

    def files(self, start: str, with_stat: bool = True) -> Iterator[FoundFile]:
        if os.path.isfile(start):
            if not is_audio_name(os.path.basename(start)):
                return
            try:
                found = self._file(start, os.path.islink(start), with_stat)
            except OSError as exc:
                self.on_problem(start, f"Cannot read: {exc.strerror or exc}")
                return
            if found is not None:
                yield found
            return
        pending = [start]
        while pending:
            directory = pending.pop()
            subdirs = yield from self._directory(directory, with_stat)
            if self.recursive:
                pending.extend(sorted(subdirs, reverse=True))

    def _enter(self, directory: str) -> bool:
        try:
            info = os.stat(directory)
        except OSError as exc:
            self._fail(directory, f"Cannot open folder: {exc.strerror or exc}")
            return False
        key = (info.st_dev, info.st_ino)
        if key in self._visited:
            return False  # already scanned through another link: a loop or a duplicate
        self._visited.add(key)
        return True

    def _fail(self, directory: str, reason: str) -> None:
        self.failed_dirs.append(directory)
        self.on_problem(directory, reason)

    def _directory(self, directory: str, with_stat: bool) -> Generator[FoundFile, None, list[str]]:
        """Yield the folder's audio files; return its subfolders to visit."""
        subdirs: list[str] = []
        if not self._enter(directory):
            return subdirs
        try:
            with os.scandir(directory) as entries:
                for entry in entries:
                    found = self._entry(entry, subdirs, with_stat)
                    if found is not None:
                        yield found
        except OSError as exc:
            self._fail(directory, f"Cannot list folder: {exc.strerror or exc}")
        return subdirs

    def _entry(self, entry: os.DirEntry, subdirs: list[str], with_stat: bool) -> FoundFile | None:
        try:
            if entry.is_dir():
                if self.recursive and self._link_allowed(entry):
                    subdirs.append(entry.path)
                return None
            if entry.is_file() and is_audio_name(entry.name):
                return self._file(entry.path, entry.is_symlink(), with_stat, entry)
        except OSError as exc:
            self.on_problem(entry.path, f"Cannot read: {exc.strerror or exc}")
        return None

    def _link_allowed(self, entry: os.DirEntry | str) -> bool:
        path = entry if isinstance(entry, str) else entry.path
        is_link = os.path.islink(path) if isinstance(entry, str) else entry.is_symlink()
        if not is_link:
            return True
        if is_inside(os.path.realpath(path), self.root_real):
            return True
        self.on_problem(path, "Skipped: a symlink that leads outside the library root.")
        return False

    def _file(
        self, path: str, is_link: bool, with_stat: bool, entry: os.DirEntry | None = None
    ) -> FoundFile | None:
        if is_link and not self._link_allowed(path):
            return None
        if not with_stat:
            return FoundFile(path, 0, 0.0)
        info = entry.stat() if entry is not None else os.stat(path)
        return FoundFile(path, info.st_size, info.st_mtime)

"""The file an import starts from: a path inside a configured import root (`imports.roots`),
after `..` and symlinks are resolved, that is a regular file of a supported type. Checked when
the request arrives and again when the job runs, so a file swapped for a link meanwhile cannot
lead the import out of the roots."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from library.paths import is_inside
from library.series.naming import VIDEO_EXTENSIONS
from library.tagfiles.formats import AUDIO_EXTENSIONS
from nomarr_site import config, system_folders
from nomarr_site.domain import Forbidden, Invalid, NotFound

MAX_PATH_LENGTH = 4096
AUDIO, VIDEO, NZB = "audio", "video", "nzb"


class ImportRefused(Invalid):
    """The request cannot be imported as given (400)."""

    def __init__(self, message: str, path: str = "", *, field: str = "file_path"):
        super().__init__(message, field=field, details={"file_path": path} if path else None)


class ImportOutsideRoots(ImportRefused, Forbidden):
    """The path, or where its links lead, is outside every import root (403)."""


class ImportFileMissing(NotFound):
    """Nothing exists at the path (404, as AltMount answers)."""

    def __init__(self, path: str):
        super().__init__(
            f"File does not exist at the specified path: {path}", details={"file_path": path}
        )


@dataclass(frozen=True)
class Source:
    given: str  # the path as the request wrote it, normalised
    base: str  # the import root, as configured or resolved, that `given` is written inside
    resolved: Path
    root: Path  # the resolved import root the file lies in
    kind: str
    size: int
    mtime_ns: int


def checked_text(value: Any, field: str, *, required: bool = True) -> str:
    """A path field of the request: text, absolute, no NUL, not too long."""
    if value is None:
        if not required:
            return ""
        raise ImportRefused(f"{field} is required", field=field)
    if not isinstance(value, str):
        raise ImportRefused(f"{field} must be a string", field=field)
    if not value.strip():
        if not required:
            return ""
        raise ImportRefused(f"{field} is required", field=field)
    if "\x00" in value:
        raise ImportRefused(f"{field} contains a NUL byte", field=field)
    if len(value) > MAX_PATH_LENGTH:
        raise ImportRefused(f"{field} is longer than {MAX_PATH_LENGTH} characters", field=field)
    if not os.path.isabs(value):
        raise ImportRefused(f"{field} must be an absolute path: {value}", value, field=field)
    return os.path.normpath(value)


def kind_of(name: str) -> str | None:
    lower = name.lower()
    if lower.endswith(".nzb") or lower.endswith(".nzb.gz"):
        return NZB
    extension = os.path.splitext(lower)[1]
    if extension in AUDIO_EXTENSIONS:
        return AUDIO
    if extension in VIDEO_EXTENSIONS:
        return VIDEO
    return None


def import_roots() -> list[Path]:
    roots = config.get("import_roots")
    if not roots:
        raise ImportRefused(
            "No import folders are configured; set imports.roots (the folders files may be "
            "imported from) in the settings first"
        )
    for root in roots:  # the settings refuse these when saved; the environment is not checked
        reason = system_folders.refusal(root)
        if reason is not None:
            raise ImportRefused(f"The import folder {reason}")
    return [Path(root) for root in roots]


def _resolve(path: str) -> Path:
    try:
        return Path(path).resolve(strict=True)
    except FileNotFoundError:
        raise ImportFileMissing(path) from None
    except RuntimeError:  # Python 3.11 reports a symlink loop this way
        raise ImportRefused(f"Symlink loop at {path}", path) from None
    except OSError as exc:
        if exc.errno == 40:  # ELOOP
            raise ImportRefused(f"Symlink loop at {path}", path) from None
        raise ImportRefused(f"Cannot resolve {path}: {exc.strerror}", path) from None


_Roots = list[tuple[Path, Path]]


def _roots_and_base(file_path: str) -> tuple[_Roots, str]:
    """The import roots (as configured, resolved) and the one `file_path` is written inside."""
    roots = [(root, Path(os.path.realpath(root))) for root in import_roots()]
    base = next((b for pair in roots for b in pair if is_inside(file_path, b)), None)
    if base is None:
        raise ImportOutsideRoots(f"The path is outside every import folder: {file_path}", file_path)
    return roots, str(base)


def _root_of(resolved: Path, roots: _Roots, file_path: str) -> Path:
    root = next((real for _stored, real in roots if is_inside(resolved, real)), None)
    if root is None:
        raise ImportOutsideRoots(
            f"The path leads outside every import folder (through a symlink): {file_path}",
            file_path,
        )
    return root


def queued_source(file_path: str, resolved: str, kind: str, size: int, mtime_ns: int) -> Source:
    """The source as it was queued, for a file an earlier attempt already moved away: the
    roots are checked again, nothing is read from the disk."""
    roots, base = _roots_and_base(file_path)
    path = Path(resolved)
    return Source(file_path, base, path, _root_of(path, roots, file_path), kind, size, mtime_ns)


def check_source(file_path: str) -> Source:
    """The checked source of `file_path` (already `checked_text`). The written form is checked
    against the roots before the disk is touched, so a request learns nothing about files
    outside them; the resolved form is checked again, so a link cannot lead out."""
    roots, base = _roots_and_base(file_path)
    resolved = _resolve(file_path)
    root = _root_of(resolved, roots, file_path)
    try:
        info = resolved.stat()
    except OSError as exc:
        raise ImportRefused(f"Cannot read {file_path}: {exc.strerror}", file_path) from None
    if stat.S_ISDIR(info.st_mode):
        raise ImportRefused(
            f"File must be a regular file (not a directory): {file_path}", file_path
        )
    if not stat.S_ISREG(info.st_mode):
        raise ImportRefused(f"File must be a regular file: {file_path}", file_path)
    if not os.access(resolved, os.R_OK):
        raise ImportRefused(f"The file cannot be read by Nomarr: {file_path}", file_path)
    kind = kind_of(os.path.basename(file_path))
    if kind is not None and kind_of(resolved.name) != kind:
        raise ImportRefused(f"The link {file_path} leads to a file of another type", file_path)
    if kind is None:
        raise ImportRefused(
            f"Unsupported file type: {resolved.name}; importable are audio files, video files, "
            ".nzb and .nzb.gz",
            file_path,
        )
    return Source(file_path, base, resolved, root, kind, info.st_size, info.st_mtime_ns)

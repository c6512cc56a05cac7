"""Moving an imported file into a library: folders are created one at a time and each must
stay inside the library's root (a link inside the library cannot lead the file out), and the
file never replaces an existing one (a hard link or an exclusive create, never a rename over)."""

from __future__ import annotations

import errno
import logging
import os
import shutil
from pathlib import Path, PurePosixPath

from jobs.runner import JobFailed
from library.paths import is_inside

logger = logging.getLogger(__name__)

# Hard links are impossible across file systems or on some (FAT, some network shares).
_NO_LINK = {errno.EXDEV, errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK}


class DestinationExists(JobFailed):
    def __init__(self, path: Path):
        super().__init__(f"{path} already exists; the import does not overwrite files")


def safe_parts(relative: str) -> list[str]:
    """The components of a relative destination; JobFailed for an absolute one or `..`."""
    parts = [p for p in PurePosixPath(relative).parts if p not in ("", ".")]
    if not parts or PurePosixPath(relative).is_absolute() or ".." in parts:
        raise JobFailed(f"The destination {relative!r} is not a path inside the library")
    return parts


def make_folders(root: Path, parts: list[str]) -> Path:
    """`root`/`parts`, creating missing folders, each checked to resolve inside `root`."""
    real_root = Path(os.path.realpath(root))
    folder = real_root
    for part in parts:
        folder = folder / part
        try:
            folder.mkdir(exist_ok=True)
        except OSError as exc:
            raise JobFailed(f"Cannot create the folder {folder}: {exc.strerror}") from None
        real = Path(os.path.realpath(folder))
        if not is_inside(real, real_root) or not real.is_dir():
            raise JobFailed(f"The folder {folder} leads outside the library {root}")
        folder = real
    return folder


def move_file(source: Path, destination: Path) -> None:
    """Move `source` to `destination` (whose folder exists), never replacing a file there."""
    if os.path.lexists(destination):
        raise DestinationExists(destination)
    try:
        os.link(source, destination)
    except FileExistsError:
        raise DestinationExists(destination) from None
    except OSError as exc:
        if exc.errno not in _NO_LINK:
            raise JobFailed(f"Cannot move {source} to {destination}: {exc.strerror}") from None
        _copy_exclusive(source, destination)
    try:
        source.unlink()
    except OSError as exc:
        logger.warning("Imported %s but could not remove it: %s", source, exc.strerror)


def _copy_exclusive(source: Path, destination: Path) -> None:
    """Copy into a file that this call creates (O_EXCL), removed again if the copy fails."""
    try:
        target = destination.open("xb")
    except FileExistsError:
        raise DestinationExists(destination) from None
    except OSError as exc:
        raise JobFailed(f"Cannot create {destination}: {exc.strerror}") from None
    try:
        with target, source.open("rb") as reader:
            shutil.copyfileobj(reader, target, 1024 * 1024)
            target.flush()
            os.fsync(target.fileno())
        shutil.copystat(source, destination)
    except OSError as exc:
        destination.unlink(missing_ok=True)
        raise JobFailed(f"Cannot copy {source} to {destination}: {exc.strerror}") from None

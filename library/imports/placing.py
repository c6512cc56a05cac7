"""Moving an imported file into a library: folders are created one at a time and each must
stay inside the library's root (a link inside the library cannot lead the file out), and the
file never replaces an existing one (a hard link or an exclusive create, never a rename over).
The destination is recorded on the item before the file moves, and the source is removed only
once the destination holds all of it, so a job delivered again after its worker died finds the
file where the first attempt left it and finishes instead of failing."""

from __future__ import annotations

import errno
import filecmp
import logging
import os
import shutil
import stat
from pathlib import Path, PurePosixPath

from jobs.runner import JobFailed
from library.models import ImportItem
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


def place(item: ImportItem, source: Path, destination: Path) -> Path:
    """Move the item's file from `source` to `destination`; where the file now is. When an
    earlier attempt already moved it (to the destination it recorded), that attempt is
    finished instead of repeated; a file found in neither place fails with both places named."""
    earlier = Path(item.destination) if item.destination else None
    if earlier is not None and holds_import(earlier, source, item):
        remove_source(source)
        return earlier
    if not os.path.lexists(source):
        raise JobFailed(lost_message(item))
    if not item.plan(str(destination)):
        raise JobFailed("The import queue item was settled by someone else meanwhile")
    try:
        move_file(source, destination, destination.parent / f".nomarr-import-{item.pk}.part")
    except JobFailed:
        if os.path.lexists(source):
            item.plan("")  # nothing moved: the item names no destination
        raise
    return destination


def holds_import(path: Path, source: Path, item: ImportItem) -> bool:
    """Whether `path` holds the item's file: a regular file of the size and modification time
    it was queued with that is the source itself (a hard link) or, while the source is still
    there, a copy of the same bytes; with the source gone, the move had finished."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISREG(info.st_mode) or (info.st_size, info.st_mtime_ns) != (
        item.size,
        item.mtime_ns,
    ):
        return False
    try:
        return os.path.samefile(source, path) or filecmp.cmp(source, path, shallow=False)
    except FileNotFoundError:
        return not os.path.lexists(source)
    except OSError:
        return False


def lost_message(item: ImportItem) -> str:
    """Why an import cannot go on: its file is neither where it was queued nor where an
    earlier attempt was moving it."""
    if not item.destination:
        return f"File does not exist at the specified path: {item.file_path}"
    return (
        f"{item.file_path} is no longer in the import folder, and {item.destination}, where an "
        f"earlier attempt of this import was moving it, does not hold it ({item.size} bytes); "
        "nothing was moved this time"
    )


def move_file(source: Path, destination: Path, staging: Path) -> None:
    """Move `source` to `destination` (whose folder exists), never replacing a file there.
    `source` is removed only once `destination` holds all of it: a worker that dies midway
    leaves the source in place (and at worst a partial copy under the `staging` name)."""
    if os.path.lexists(destination):
        raise DestinationExists(destination)
    try:
        os.link(source, destination)
    except FileExistsError:
        raise DestinationExists(destination) from None
    except OSError as exc:
        if exc.errno not in _NO_LINK:
            raise JobFailed(f"Cannot move {source} to {destination}: {exc.strerror}") from None
        _copy_staged(source, destination, staging)
    remove_source(source)


def remove_source(source: Path) -> None:
    """The import folder's copy, once the file is safely in the library."""
    try:
        source.unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:
        logger.warning(
            "Imported %s but could not remove it from the import folder: %s", source, exc.strerror
        )


def _copy_staged(source: Path, destination: Path, staging: Path) -> None:
    """Copy into `staging` (a name of this import's own), then give it the final name without
    replacing anything: a copy cut short never appears under the final name."""
    staging.unlink(missing_ok=True)  # an earlier attempt's partial copy
    try:
        target = staging.open("xb")
    except OSError as exc:
        raise JobFailed(f"Cannot create {staging}: {exc.strerror}") from None
    try:
        with target, source.open("rb") as reader:
            shutil.copyfileobj(reader, target, 1024 * 1024)
            target.flush()
            os.fsync(target.fileno())
        shutil.copystat(source, staging)
        _name_exclusive(staging, destination)
    except OSError as exc:
        raise JobFailed(f"Cannot copy {source} to {destination}: {exc.strerror}") from None
    finally:
        staging.unlink(missing_ok=True)


def _name_exclusive(staging: Path, destination: Path) -> None:
    """`staging` under the name `destination`, which must not exist (a hard link where the file
    system has them, else a rename after a last look)."""
    try:
        os.link(staging, destination)
    except FileExistsError:
        raise DestinationExists(destination) from None
    except OSError as exc:
        if exc.errno not in _NO_LINK:
            raise
        if os.path.lexists(destination):
            raise DestinationExists(destination) from None
        os.rename(staging, destination)

"""Writing whole files so that a crash leaves the old file or the new one, never half of one.

The pieces are: a temporary file in the target's folder (same file system, so the rename is
atomic), flushed to disk, renamed over the target, and the folder itself flushed so the rename
survives a power cut. Standard library only: `nomarr_site.env` uses it before Django is set up.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

PRIVATE = 0o600  # every file Nomarr writes for itself is owner-only


def sync_folder(path: str | os.PathLike[str]) -> None:
    """Flush the folder holding `path`, so a rename into it is on disk. A file system that
    cannot flush a folder (EINVAL) has nothing more to offer and is not an error."""
    fd = os.open(os.path.dirname(os.fspath(path)) or ".", os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno != errno.EINVAL:
            raise
    finally:
        os.close(fd)


def move_into_place(temp: str | os.PathLike[str], path: str | os.PathLike[str]) -> None:
    """Atomically replace `path` with the finished file `temp` (same folder) and flush the
    folder. `temp` must already be flushed (fsync) by whoever wrote it."""
    os.replace(temp, path)
    sync_folder(path)


def _write_temp(path: Path, data: bytes | str, mode: int) -> str:
    """A flushed temporary file beside `path` holding `data`, with permissions `mode`."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data.encode("utf-8") if isinstance(data, str) else data)
            stream.flush()
            os.fchmod(stream.fileno(), mode)
            os.fsync(stream.fileno())
    except BaseException:
        discard(temp)
        raise
    return temp


def discard(temp: str | os.PathLike[str]) -> None:
    """Remove a temporary file that may already be gone (renamed into place or cleaned up)."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temp)


def atomic_write(path: str | os.PathLike[str], data: bytes | str, mode: int = PRIVATE) -> None:
    """Replace (or create) the file `path` with `data` (text is written as UTF-8) atomically:
    whatever interrupts it leaves the previous file and no temporary file behind."""
    target = Path(path)
    temp = _write_temp(target, data, mode)
    try:
        move_into_place(temp, target)
    except BaseException:
        discard(temp)
        raise


def atomic_create(path: str | os.PathLike[str], data: bytes | str, mode: int = PRIVATE) -> bool:
    """Create `path` holding `data` unless it already exists; returns whether this call created
    it. Of two processes racing, exactly one wins and the other sees the winner's whole file."""
    target = Path(path)
    temp = _write_temp(target, data, mode)
    try:
        os.link(temp, target)  # unlike a rename, a link never replaces an existing file
    except FileExistsError:
        return False
    finally:
        discard(temp)
    sync_folder(target)
    return True

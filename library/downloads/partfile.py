"""The files of one download in its target folder: plain names that cannot leave the folder,
the hidden part file with its JSON sidecar (what a later attempt, in any process, needs to
resume), and the last step: verify the size and checksum, then rename into place."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from library.downloads.errors import DownloadError
from library.downloads.progress import Meter
from nomarr_site.files import atomic_write, move_into_place

logger = logging.getLogger(__name__)

SIDECAR_SUFFIX = ".json"
SIDECAR_VERSION = 1
FILE_MODE = 0o644  # the finished episode is read by media servers running as other users
_HASH_BLOCK = 1 << 20
_SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")


def check_name(name: str, what: str) -> None:
    """Refuse a name that is not one plain file name (a path, `..`, a NUL, empty)."""
    if (
        not isinstance(name, str)
        or not name.strip()
        or name in (".", "..")
        or any(c in name for c in ("/", "\\", "\x00"))
    ):
        raise DownloadError(f"The {what} {name!r} is not a plain file name.")


def check_target(target_dir: Path, final_name: str, part_name: str) -> None:
    check_name(final_name, "file name")
    check_name(part_name, "temporary file name")
    if part_name == final_name or part_name + SIDECAR_SUFFIX == final_name:
        raise DownloadError("The temporary file name must differ from the file name.")
    if not target_dir.is_dir():
        raise DownloadError(f"The folder {target_dir} does not exist.")


def check_sha256(value: str | None) -> None:
    if value is not None and not _SHA256_HEX.fullmatch(value):
        raise DownloadError(f"{value!r} is not a SHA-256 checksum (64 hex digits).")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class PartState:
    """What the sidecar records about the bytes in the part file."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    total: int | None = None
    sha256: str | None = None  # announced by the source (a Digest header), hex


class PartFile:
    """`target_dir/part_name` and its sidecar `part_name + ".json"`."""

    def __init__(self, target_dir: Path, part_name: str) -> None:
        self.path = target_dir / part_name
        self.sidecar = target_dir / (part_name + SIDECAR_SUFFIX)

    def size(self) -> int:
        try:
            return self.path.lstat().st_size
        except FileNotFoundError:
            return 0

    def load(self, url: str) -> PartState | None:
        """The recorded state when the part file holds bytes of `url`; None when there is
        nothing to resume (no sidecar, an unreadable one, another URL)."""
        try:
            document = json.loads(self.sidecar.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            return None
        if not isinstance(document, dict) or document.get("version") != SIDECAR_VERSION:
            return None
        fields = {k: document.get(k) for k in ("url", "etag", "last_modified", "total", "sha256")}
        if fields["url"] != url or not all(
            v is None or isinstance(v, str) for k, v in fields.items() if k != "total"
        ):
            return None
        total = fields.pop("total")
        if total is not None and (type(total) is not int or total < 0):  # bool is an int
            return None
        return PartState(total=total, **fields)  # type: ignore[arg-type]

    def save(self, state: PartState) -> None:
        document = {"version": SIDECAR_VERSION, **asdict(state)}
        atomic_write(self.sidecar, json.dumps(document) + "\n")

    @contextlib.contextmanager
    def locked(self) -> Iterator[int]:
        """A write descriptor on the part file (created when missing), locked for the whole
        download: a second worker given the same download (a job delivered twice) backs off
        with a retryable DownloadError instead of writing into the same file. Never follows a
        symlink planted at the part name. An empty part file is not left behind."""
        flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(self.path, flags, FILE_MODE)
        except OSError as exc:
            raise write_failed(self, exc) from None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise DownloadError(
                    f"Another worker is downloading into {self.path.name} right now.",
                    retryable=True,
                ) from None
            os.fchmod(fd, FILE_MODE)  # whatever the worker's umask: media servers must read it
            try:
                yield fd
            finally:
                if self.path.exists() and self.size() == 0:
                    self.discard()
        finally:
            os.close(fd)

    def rewind(self, fd: int, offset: int) -> None:
        """Cut the part file at `offset` and write from there."""
        os.ftruncate(fd, offset)
        os.lseek(fd, offset, os.SEEK_SET)

    def reset(self, fd: int) -> None:
        """Start over: an empty part file and no sidecar."""
        self.rewind(fd, 0)
        with contextlib.suppress(FileNotFoundError):
            self.sidecar.unlink()

    def discard(self) -> None:
        for path in (self.path, self.sidecar):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def write_failed(part: PartFile, exc: OSError) -> DownloadError:
    """Remove the part file and sidecar after a failed write (a full disk must not be left
    fuller) and say why."""
    part.discard()
    folder = part.path.parent
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DownloadError(
            f"The disk holding {folder} is full; free some space and try again.", retryable=False
        )
    reason = exc.strerror or str(exc)
    return DownloadError(f"Cannot write the download into {folder}: {reason}.", retryable=False)


def verify(part: PartFile, sizes: dict[str, int | None], checksums: dict[str, str | None]) -> None:
    """Check the finished part file against each known size and SHA-256 (keyed by where the
    value comes from, for the message); a mismatch discards it: resuming cannot fix bytes
    that are wrong."""
    actual = part.size()
    for origin, size in sizes.items():
        if size is not None and size != actual:
            part.discard()
            raise DownloadError(
                f"The download is {actual} bytes but {origin} says {size} bytes; it was discarded."
            )
    wanted = {origin: value.lower() for origin, value in checksums.items() if value}
    if not wanted:
        return
    digest = sha256_of(part.path)
    for origin, value in wanted.items():
        if digest != value:
            part.discard()
            raise DownloadError(
                f"The download's SHA-256 is {digest} but {origin} says {value}; it was discarded."
            )


def place(part: PartFile, final: Path) -> Path:
    """Rename the verified part file to `final` and drop the sidecar. An existing file with
    the same bytes is kept as it is (running a download twice gives the same file); a
    different one is never overwritten (the part file stays for when it is moved away)."""
    if os.path.lexists(final):
        same = (
            final.is_file()
            and not final.is_symlink()
            and final.stat().st_size == part.size()
            and sha256_of(final) == sha256_of(part.path)
        )
        if not same:
            raise DownloadError(
                f"{final.name} already exists in {final.parent} and differs from the download; "
                "move it away and try again."
            )
        part.discard()
        return final
    move_into_place(part.path, final)
    with contextlib.suppress(FileNotFoundError):
        part.sidecar.unlink()
    logger.info("downloaded %s", final)
    return final


def finish(
    part: PartFile,
    final: Path,
    meter: Meter,
    sizes: dict[str, int | None],
    checksums: dict[str, str | None],
) -> Path:
    """Verify the complete part file, rename it to `final` and report 100 %."""
    try:
        verify(part, sizes, checksums)
        size = part.size()
        placed = place(part, final)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise DownloadError(f"Cannot move the download into {final.parent}: {reason}.") from None
    meter.finish(size)
    return placed


def remove_partial(target_dir: Path, part_name: str) -> bool:
    """Delete the part file and sidecar of a download that will not be resumed (an item taken
    off the queue). False, leaving them alone, while a worker is writing them."""
    check_name(part_name, "temporary file name")
    part = PartFile(Path(target_dir), part_name)
    try:
        fd = os.open(part.path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        part.discard()
        return True
    except OSError:  # a symlink planted at the name: remove the link, never its target
        part.discard()
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        part.discard()
        return True
    finally:
        os.close(fd)

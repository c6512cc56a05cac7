"""Safe tag writing (ARCHITECTURE §7): tags go into a locked temporary copy in the same folder,
which must read back with exactly our tags and an unchanged audio payload before it atomically
replaces the original with the original's permissions. Any failure leaves the original alone.

mtime policy: `now` (default) lets the replaced file carry the write time, so media servers
notice the new tags; `preserve` restores the original modification time. Either way the new
size and mtime are returned, for the caller to store as the analysed state.
"""

from __future__ import annotations

import fcntl
import logging
import os
import secrets
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from library.tags import formats
from library.tags.errors import FileChanged, FileNotWritable, FileVanished, VerificationFailed
from library.tags.payload import audio_payload_hash

logger = logging.getLogger(__name__)

TEMP_SUFFIX = ".nomarr-tmp"
MTIME_POLICIES = ("now", "preserve")


@dataclass(frozen=True)
class FileStamp:
    """Size and modification time of a file as it was analysed."""

    size: int
    mtime: float  # seconds since the epoch, as os.stat's st_mtime

    @classmethod
    def of(cls, path: str | os.PathLike) -> FileStamp:
        st = os.stat(path)
        return cls(st.st_size, st.st_mtime)

    def matches(self, st: os.stat_result) -> bool:
        return st.st_size == self.size and abs(st.st_mtime - self.mtime) < 1e-5


@dataclass(frozen=True)
class WriteResult:
    path: str
    written: dict[str, list[str]]
    removed: list[str]  # our keys that were present and are no longer
    payload_sha256: str
    stamp: FileStamp  # the file after the write


def _normalise(tags: Mapping[str, str | Sequence[str]], namespace: str) -> dict[str, list[str]]:
    clean = {}
    for key, value in tags.items():
        if not key.casefold().startswith(f"{namespace}:".casefold()):
            raise ValueError(f"tag '{key}' is outside the '{namespace}:' namespace")
        values = [value] if isinstance(value, str) else [str(v) for v in value]
        if values:
            clean[key] = values
    return clean


def _temp_name(target: str, token: str) -> str:
    folder, name = os.path.split(target)
    return os.path.join(folder, f".{name}.{token}{TEMP_SUFFIX}")


def cleanup_stale_temp_files(target: str | os.PathLike) -> list[str]:
    """Remove temporary copies of `target` left by a crashed writer. A live writer holds an
    exclusive lock on its copy, so only unlocked (abandoned) copies are removed."""
    folder, name = os.path.split(os.fspath(target))
    removed: list[str] = []
    try:
        entries = os.listdir(folder or ".")
    except OSError:
        return removed
    for entry in entries:
        if not (entry.startswith(f".{name}.") and entry.endswith(TEMP_SUFFIX)):
            continue
        candidate = os.path.join(folder, entry)
        try:
            fd = os.open(candidate, os.O_RDWR)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.unlink(candidate)
            removed.append(candidate)
            logger.info("removed stale temporary file %s", candidate)
        except OSError:
            pass  # locked: another writer is busy with it
        finally:
            os.close(fd)
    return removed


def _check_target(path: str, expected: FileStamp | None) -> os.stat_result:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise FileVanished(path, f"{path} no longer exists") from None
    if not stat.S_ISREG(st.st_mode):
        raise FileNotWritable(path, f"{path} is not a regular file")
    if not st.st_mode & stat.S_IWUSR or not os.access(path, os.W_OK):
        raise FileNotWritable(path, f"{path} is read-only; tags were not written")
    if not os.access(os.path.dirname(path) or ".", os.W_OK):
        raise FileNotWritable(path, f"The folder of {path} is not writable; tags were not written")
    if expected is not None and not expected.matches(st):
        raise FileChanged(
            path, f"{path} changed since it was analysed (size or modification time differ)"
        )
    return st


def _copy_locked(path: str, st: os.stat_result) -> tuple[str, int]:
    """A locked temporary copy of `path` beside it; returns its name and the lock's fd."""
    temp = _temp_name(path, secrets.token_hex(4))
    try:
        fd = os.open(temp, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    except PermissionError:
        raise FileNotWritable(path, f"Cannot create a temporary copy beside {path}") from None
    fcntl.flock(fd, fcntl.LOCK_EX)
    with open(path, "rb") as source:
        while block := source.read(1 << 20):
            os.write(fd, block)
    os.fsync(fd)
    os.chmod(temp, stat.S_IMODE(st.st_mode))
    try:
        os.chown(temp, st.st_uid, st.st_gid)
    except PermissionError:
        pass  # only root may give files away; the copy keeps our ownership
    return temp, fd


def _tag_and_verify(
    temp: str, fmt: str, namespace: str, tags: dict[str, list[str]], payload: str, path: str
) -> None:
    audio = formats.load(temp, fmt)
    formats.replace_namespace(audio, fmt, namespace, tags)
    formats.save(audio, fmt)
    written = formats.read_namespace(formats.load(temp, fmt), fmt, namespace)
    if {k.casefold(): v for k, v in written.items()} != {k.casefold(): v for k, v in tags.items()}:
        raise VerificationFailed(path, f"{path}: the tagged copy did not read back as written")
    if audio_payload_hash(temp, fmt) != payload:
        raise VerificationFailed(path, f"{path}: tagging would have changed the audio; not written")


def write_tags(
    path: str | os.PathLike,
    tags: Mapping[str, str | Sequence[str]],
    namespace: str = "nom",
    expected: FileStamp | None = None,
    mtime_policy: str = "now",
) -> WriteResult:
    """Replace every `<namespace>:*` tag of `path` with `tags`, safely (see module docstring).
    Raises a library.tags.errors.TagFileError subclass with a human message on any refusal."""
    if mtime_policy not in MTIME_POLICIES:
        raise ValueError(f"mtime_policy must be one of {', '.join(MTIME_POLICIES)}")
    path = os.path.realpath(os.fspath(path))  # replace the file a symlink points at, not the link
    clean = _normalise(tags, namespace)
    st = _check_target(path, expected)
    fmt = formats.detect_format(path)
    before = formats.read_namespace(formats.load(path, fmt), fmt, namespace)
    payload = audio_payload_hash(path, fmt)
    cleanup_stale_temp_files(path)
    temp, fd = _copy_locked(path, st)
    try:
        _tag_and_verify(temp, fmt, namespace, clean, payload, path)
        if not FileStamp(st.st_size, st.st_mtime).matches(os.stat(path)):
            raise FileChanged(path, f"{path} changed while its tags were being written")
        if mtime_policy == "preserve":
            os.utime(temp, ns=(st.st_atime_ns, st.st_mtime_ns))
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        _discard(temp)
        raise
    finally:
        os.close(fd)
    _sync_folder(path)
    removed = sorted(k for k in before if k.casefold() not in {c.casefold() for c in clean})
    logger.info("wrote %d tags to %s (removed %d stale)", len(clean), path, len(removed))
    return WriteResult(path, clean, removed, payload, FileStamp.of(path))


def _discard(temp: str) -> None:
    try:
        os.unlink(temp)
    except FileNotFoundError:
        pass


def _sync_folder(path: str) -> None:
    fd = os.open(os.path.dirname(path) or ".", os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

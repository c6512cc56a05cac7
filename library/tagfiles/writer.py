"""Safe tag writing (ARCHITECTURE §7): tags go into a locked temporary copy in the same folder,
which must read back with exactly our tags and an unchanged audio payload before it atomically
replaces the original with the original's permissions. Any failure leaves the original alone,
and no temporary copy behind (whatever interrupts the write, short of the process being killed;
the next write or scan removes what a killed writer left).

Links are never written through: the path must be a plain file when the write starts, the
original is copied through a descriptor that refuses a link, and the file replaced must still be
the one analysed (same device and inode, size and mtime). With `confine` (the callers in the app
pass `library.tagfiles.roots.confine_to_roots`), the path must also still resolve inside an
enabled library root.

mtime policy: `now` (default) lets the replaced file carry the write time, so media servers
notice the new tags; `preserve` restores the original modification time. Either way the new
size and mtime are returned, for the caller to store as the analysed state.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import secrets
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from library.tagfiles import formats
from library.tagfiles.errors import (
    FileChanged,
    FileNotWritable,
    SymlinkRefused,
    VerificationFailed,
)
from library.tagfiles.guard import Confine, check_track_file, refuse_link
from library.tagfiles.moods import StandardMoods, read_moods, replace_moods
from library.tagfiles.payload import audio_payload_hash
from library.tagfiles.tempfiles import (
    TEMP_SUFFIX,
    TOKEN_BYTES,
    cleanup_stale_temp_files,
    temp_name,
)
from nomarr_site.files import discard, move_into_place

__all__ = ["TEMP_SUFFIX", "FileStamp", "WriteResult", "cleanup_stale_temp_files", "write_tags"]

logger = logging.getLogger(__name__)

MTIME_POLICIES = ("now", "preserve")


@dataclass(frozen=True)
class FileStamp:
    """Size and modification time of a file as it was analysed, and which file it was (device
    and inode), so a different file put in its place is noticed even with the same size."""

    size: int
    mtime: float  # seconds since the epoch, as os.stat's st_mtime
    identity: tuple[int, int] | None = None  # (st_dev, st_ino); None when not known

    @classmethod
    def of(cls, path: str | os.PathLike) -> FileStamp:
        st = os.stat(path)
        return cls(st.st_size, st.st_mtime, (st.st_dev, st.st_ino))

    @classmethod
    def from_stat(cls, st: os.stat_result) -> FileStamp:
        return cls(st.st_size, st.st_mtime, (st.st_dev, st.st_ino))

    def matches(self, st: os.stat_result) -> bool:
        if self.identity is not None and self.identity != (st.st_dev, st.st_ino):
            return False
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
        if not formats.in_namespace(key, namespace):
            raise ValueError(f"tag '{key}' is outside the '{namespace}:' namespace")
        values = [value] if isinstance(value, str) else [str(v) for v in value]
        if values:
            clean[key] = values
    return clean


def _check_target(path: str, expected: FileStamp | None) -> os.stat_result:
    st = refuse_link(path)
    if not st.st_mode & stat.S_IWUSR or not os.access(path, os.W_OK):
        raise FileNotWritable(path, f"{path} is read-only; tags were not written")
    if not os.access(os.path.dirname(path) or ".", os.W_OK):
        raise FileNotWritable(path, f"The folder of {path} is not writable; tags were not written")
    if expected is not None and not expected.matches(st):
        raise FileChanged(
            path, f"{path} changed since it was analysed (size or modification time differ)"
        )
    return st


def _still_the_original(path: str, st: os.stat_result, when: str) -> None:
    """Refuse if `path` is no longer the file `st` describes: a link or another file swapped
    in, or the same file edited."""
    now = refuse_link(path)
    if not FileStamp.from_stat(st).matches(now):
        raise FileChanged(path, f"{path} changed {when}")


def _copy_original(fd: int, path: str, st: os.stat_result) -> None:
    """Copy `path` into the open temporary `fd`, reading it through a descriptor that will not
    follow a link and must be the very file checked (`st`)."""
    try:
        source = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise SymlinkRefused(
                path, f"{path} is now a symbolic link; Nomarr does not read or write through links"
            ) from None
        raise
    try:
        if not FileStamp.from_stat(st).matches(os.fstat(source)):
            raise FileChanged(path, f"{path} changed while its tags were being written")
        while block := os.read(source, 1 << 20):
            os.write(fd, block)
    finally:
        os.close(source)
    os.fsync(fd)
    os.fchmod(fd, stat.S_IMODE(st.st_mode))
    try:
        os.fchown(fd, st.st_uid, st.st_gid)
    except PermissionError:
        pass  # only root may give files away; the copy keeps our ownership


def _tag_and_verify(
    temp: str,
    fmt: str,
    namespace: str,
    tags: dict[str, list[str]],
    payload: str,
    path: str,
    moods: StandardMoods | None,
) -> None:
    audio = formats.load(temp, fmt)
    formats.replace_namespace(audio, fmt, namespace, tags)
    field = None if moods is None else moods.merged(read_moods(audio, fmt))
    if field is not None:
        replace_moods(audio, fmt, field)
    formats.save(audio, fmt)
    again = formats.load(temp, fmt)
    written = formats.read_namespace(again, fmt, namespace)
    if {k.casefold(): v for k, v in written.items()} != {k.casefold(): v for k, v in tags.items()}:
        raise VerificationFailed(path, f"{path}: the tagged copy did not read back as written")
    if field is not None and read_moods(again, fmt) != field:
        raise VerificationFailed(path, f"{path}: the mood field did not read back as written")
    if audio_payload_hash(temp, fmt) != payload:
        raise VerificationFailed(path, f"{path}: tagging would have changed the audio; not written")


def write_tags(
    path: str | os.PathLike,
    tags: Mapping[str, str | Sequence[str]],
    namespace: str = "nom",
    expected: FileStamp | None = None,
    mtime_policy: str = "now",
    *,
    confine: Confine | None = None,
    moods: StandardMoods | None = None,
) -> WriteResult:
    """Replace every `<namespace>:*` tag of `path` with `tags`, safely (see module docstring).
    `confine` also checks the path, e.g. that it resolves inside an enabled library root.
    `moods`, when given, also sets Nomarr's part of the standard mood field, keeping the
    values that are not Nomarr's (library.tagfiles.moods).
    Raises a library.tagfiles.errors.TagFileError subclass with a human message on any refusal."""
    if mtime_policy not in MTIME_POLICIES:
        raise ValueError(f"mtime_policy must be one of {', '.join(MTIME_POLICIES)}")
    clean = _normalise(tags, namespace)
    path = check_track_file(path, confine)
    st = _check_target(path, expected)
    fmt = formats.detect_format(path)
    before = formats.read_namespace(formats.load(path, fmt), fmt, namespace)
    payload = audio_payload_hash(path, fmt)
    cleanup_stale_temp_files(path)
    _write_through_copy(path, st, fmt, namespace, clean, payload, mtime_policy, moods)
    removed = sorted(k for k in before if k.casefold() not in {c.casefold() for c in clean})
    logger.info("wrote %d tags to %s (removed %d stale)", len(clean), path, len(removed))
    return WriteResult(path, clean, removed, payload, FileStamp.of(path))


def _write_through_copy(
    path: str,
    st: os.stat_result,
    fmt: str,
    namespace: str,
    tags: dict[str, list[str]],
    payload: str,
    mtime_policy: str,
    moods: StandardMoods | None = None,
) -> None:
    """Copy, tag, verify and swap in. Whatever ends this early (an error, a refusal, a
    KeyboardInterrupt or SystemExit) removes the copy: only a successful replace keeps it."""
    temp = temp_name(path, secrets.token_hex(TOKEN_BYTES))
    fd = -1
    replaced = False
    try:
        try:
            fd = os.open(temp, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except PermissionError:
            raise FileNotWritable(path, f"Cannot create a temporary copy beside {path}") from None
        fcntl.flock(fd, fcntl.LOCK_EX)  # marks the copy as in use for cleanup_stale_temp_files
        _copy_original(fd, path, st)
        _tag_and_verify(temp, fmt, namespace, tags, payload, path, moods)
        if mtime_policy == "preserve":
            os.utime(temp, ns=(st.st_atime_ns, st.st_mtime_ns))
        os.fsync(fd)
        # Last look before the swap: rename replaces whatever entry is there (a link swapped in
        # now would itself be replaced, its target untouched), but it must be the file analysed.
        _still_the_original(path, st, "while its tags were being written")
        move_into_place(temp, path)
        replaced = True
    finally:
        if fd >= 0:
            os.close(fd)
            if not replaced:
                discard(temp)

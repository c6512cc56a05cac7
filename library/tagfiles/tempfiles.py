"""The tag writer's temporary copies: their one name pattern, and the removal of copies a
crashed writer left behind. Only a plain file whose name matches the pattern exactly and that
no live writer holds locked is ever removed; anything else in a music folder is the user's.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import stat
import time

from library.tagfiles.formats import SUFFIXES

logger = logging.getLogger(__name__)

TEMP_SUFFIX = ".nomarr-tmp"
TOKEN_BYTES = 4  # a random token of 8 hex digits keeps two writers' copies apart
_PATTERN = re.compile(
    rf"\.(?P<target>.+)\.[0-9a-f]{{{TOKEN_BYTES * 2}}}{re.escape(TEMP_SUFFIX)}", re.DOTALL
)


def temp_name(target: str, token: str) -> str:
    """The temporary copy's path for `target`: hidden, beside it, `.<name>.<token>.nomarr-tmp`."""
    folder, name = os.path.split(target)
    return os.path.join(folder, f".{name}.{token}{TEMP_SUFFIX}")


def temp_target(name: str) -> str | None:
    """The file name a temporary copy called `name` was made for, or None when `name` is not
    exactly one of the writer's temporary names (the writer only tags SUFFIXES)."""
    match = _PATTERN.fullmatch(name)
    if match is None or os.path.splitext(match["target"])[1].lower() not in SUFFIXES:
        return None
    return match["target"]


def _remove_if_abandoned(candidate: str, min_age: float) -> bool:
    """Remove `candidate` if it is a plain file, older than `min_age` seconds and unlocked."""
    try:
        fd = os.open(candidate, os.O_RDWR | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False  # gone, a link, or not ours to open
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or time.time() - info.st_mtime < min_age:
            return False
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.unlink(candidate)
    except OSError:
        return False  # locked: a writer is busy with it
    finally:
        os.close(fd)
    logger.info("removed abandoned temporary file %s", candidate)
    return True


def remove_abandoned(folder: str, target_name: str | None = None, min_age: float = 0) -> list[str]:
    """Remove the writer's abandoned temporary copies in `folder` (only those made for
    `target_name` when given) that are at least `min_age` seconds old; returns their paths.

    A live writer holds an exclusive lock on its copy, so it is never removed from under it;
    `min_age` also spares a copy a writer on another machine may still be filling (a lock on a
    network share may not reach this one)."""
    removed: list[str] = []
    try:
        entries = os.listdir(folder or ".")
    except OSError:
        return removed
    for entry in entries:
        target = temp_target(entry)
        if target is None or (target_name is not None and target != target_name):
            continue
        candidate = os.path.join(folder, entry)
        if _remove_if_abandoned(candidate, min_age):
            removed.append(candidate)
    return removed


def cleanup_stale_temp_files(target: str | os.PathLike) -> list[str]:
    """Remove temporary copies of `target` left by a crashed writer (unlocked ones only)."""
    folder, name = os.path.split(os.fspath(target))
    return remove_abandoned(folder, name)

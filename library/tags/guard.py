"""Checks made at the moment a track is read for analysis or written: the path must still be a
plain file, not a symbolic link, and must still resolve inside an enabled library root. A
queued path may have been swapped since it was checked (ARCHITECTURE §7), so these run again
right before the file is touched, whatever was checked when the job was queued."""

from __future__ import annotations

import os
import stat

from library.tags.errors import FileNotWritable, FileVanished, OutsideLibrary, SymlinkRefused


def refuse_link(path: str) -> os.stat_result:
    """The file's own status (never a link's target); SymlinkRefused for a link, FileVanished
    when nothing is there, FileNotWritable for a folder or a device."""
    try:
        info = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise FileVanished(path, f"{path} no longer exists") from None
    if stat.S_ISLNK(info.st_mode):
        raise SymlinkRefused(
            path, f"{path} is now a symbolic link; Nomarr does not read or write through links"
        )
    if not stat.S_ISREG(info.st_mode):
        raise FileNotWritable(path, f"{path} is not a regular file")
    return info


def confine_to_roots(path: str) -> str:
    """The path resolved (a folder on the way may be a link that stays inside a root), or
    OutsideLibrary when it now leads outside every enabled library root."""
    # Imported here: the tag modules work without Django (a writer in a bare process), and only
    # this check needs the database.
    from library.paths import OutsideRoots, PathNotFound, PathRefused, resolve_inside_roots

    try:
        resolved, _library = resolve_inside_roots(path)
    except PathNotFound:
        raise FileVanished(path, f"{path} no longer exists") from None
    except OutsideRoots:
        raise OutsideLibrary(
            path, f"{path} now leads outside every library root; Nomarr does not touch it"
        ) from None
    except PathRefused as exc:
        raise OutsideLibrary(path, f"{path} cannot be used: {exc.message}") from None
    return str(resolved)


def check_track_file(path: str | os.PathLike, inside_roots: bool = True) -> str:
    """Refuse a link or (with `inside_roots`) a path leading outside the library roots; return
    the path to use, with any folder links resolved."""
    text = os.path.abspath(os.fspath(path))
    refuse_link(text)
    if inside_roots:
        return confine_to_roots(text)
    folder, name = os.path.split(text)
    return os.path.join(os.path.realpath(folder), name)

"""Checks made at the moment a track is read for analysis or written: the path must still be a
plain file, not a symbolic link, and (checked by `library.tagfiles.roots`, the one tag-file
module that needs the database) must still resolve inside an enabled library root. A
queued path may have been swapped since it was checked (ARCHITECTURE §7), so these run again
right before the file is touched, whatever was checked when the job was queued."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable

from library.tagfiles.errors import FileNotWritable, FileVanished, SymlinkRefused

#: Maps a path to the path to use, or raises a TagFileError (see `library.tagfiles.roots`).
Confine = Callable[[str], str]


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


def check_track_file(path: str | os.PathLike, confine: Confine | None = None) -> str:
    """Refuse a link, and whatever `confine` refuses (`library.tagfiles.roots.confine_to_roots`:
    a path leading outside the library roots); return the path to use, with any folder links
    resolved."""
    text = os.path.abspath(os.fspath(path))
    refuse_link(text)
    if confine is not None:
        return confine(text)
    folder, name = os.path.split(text)
    return os.path.join(os.path.realpath(folder), name)

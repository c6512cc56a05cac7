"""Folders Nomarr never takes as a media folder (a library root, the series directory): the
system's own files and Nomarr's data dir. Scanning them is useless at best, and Nomarr writes
into media folders (tags, NFO files, artwork, downloads)."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

# Never a media folder, nor anything inside them: the system's own files, kernel views, devices.
SYSTEM_TREES = (
    "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/run",
    "/sbin", "/sys", "/usr/bin", "/usr/lib", "/usr/sbin",
)  # fmt: skip
# Never a media folder themselves, though media may live in a folder below them
# (`/var/lib/mpd/music`, `/usr/local/share/music`).
SYSTEM_FOLDERS = ("/", "/usr", "/usr/local", "/var")


def refusal(text: str, resolved: Path | None = None) -> str | None:
    """Why the folder `text` (absolute) may not hold media, or None. Both its written form and
    `resolved` (default: `text` with its links followed) are checked, so a link cannot lead
    into a system folder or the data dir."""
    if resolved is None:
        resolved = Path(os.path.realpath(text))
    data_dir = Path(settings.DATA_DIR)
    for path in {Path(os.path.normpath(text)), resolved}:
        for tree in (data_dir, Path(os.path.realpath(data_dir))):
            if path.is_relative_to(tree):
                return (
                    f"{text} is Nomarr's data folder or lies inside it; "
                    "choose the folder that holds your media."
                )
        for folder in SYSTEM_TREES + SYSTEM_FOLDERS:
            forms = {Path(folder), Path(os.path.realpath(folder))}
            inside = folder in SYSTEM_TREES  # a system folder refuses only itself
            if any(path == form or (inside and path.is_relative_to(form)) for form in forms):
                return (
                    f"{text} is a system folder ({folder}); choose the folder that holds "
                    "your media."
                )
    return None

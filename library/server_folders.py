"""The server's folders, for picking a library root or the models folder in the browser: the
sub-folders of one absolute folder, by name, hidden ones left out. Only folders are listed
(never files), only to a logged-in admin (the route's group), and what is picked is checked
again when it is saved (`library.paths.validate_root`, the models folder's own check)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from nomarr_site.domain import Forbidden, Invalid, NotFound

# A folder is read whole to sort it; past this many sub-folders the listing says so.
MAX_FOLDERS = 20_000


@dataclass(frozen=True)
class ServerFolder:
    name: str
    path: str


@dataclass(frozen=True)
class FolderListing:
    path: str
    parent: str | None
    folders: list[ServerFolder]
    truncated: bool


def server_folders(path: str) -> FolderListing:
    """The sub-folders of `path` (absolute), each by name; raises a domain error naming the
    `path` field for a relative, missing, unreadable or non-folder path."""
    if not path or not os.path.isabs(path) or "\x00" in path:
        raise Invalid("path must be an absolute folder path, e.g. /music", field="path")
    folder = Path(os.path.normpath(path))
    try:
        is_folder = folder.is_dir()
        exists = is_folder or folder.exists()
    except OSError as exc:  # a name too long for the file system, a loop of links…
        raise Invalid(f"{folder} cannot be read: {exc.strerror}", field="path") from None
    if not exists:
        raise NotFound(f"No folder {folder} on the server", field="path")
    if not is_folder:
        raise Invalid(f"{folder} is a file, not a folder", field="path")
    folders: list[ServerFolder] = []
    truncated = False
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if len(folders) >= MAX_FOLDERS:
                    truncated = True
                    break
                if _is_listed(entry):
                    folders.append(ServerFolder(entry.name, entry.path))
    except PermissionError:
        raise Forbidden(
            f"Nomarr's user may not read {folder}; pick another folder or change its permissions",
            field="path",
        ) from None
    folders.sort(key=lambda item: (item.name.casefold(), item.name))
    parent = str(folder.parent) if folder.parent != folder else None
    return FolderListing(str(folder), parent, folders, truncated)


def _is_listed(entry: os.DirEntry) -> bool:
    if entry.name.startswith("."):
        return False
    try:
        entry.name.encode("utf-8")  # a name JSON cannot carry cannot be picked either
        return entry.is_dir()
    except (OSError, UnicodeEncodeError):
        return False

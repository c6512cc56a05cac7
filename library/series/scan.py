"""Reading the series directory: its show folders become `Series` rows (sync), and a show's
folder is walked for the episode files it holds.

The series directory is the setting `series_directory`; each visible sub-folder is one show
(`Show (Year)`, optionally tagged `[tmdbid-N]`). A show folder is walked a few levels deep
(season folders), hidden entries and extras folders skipped; a symbolic link is followed only
when it stays inside the show's folder. An entry that cannot be read is skipped with a warning.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from library.models import Series
from library.paths import is_inside
from library.series import naming
from nomarr_site import config
from nomarr_site.domain import Forbidden, Unavailable

logger = logging.getLogger(__name__)

MAX_DEPTH = 3  # Show/Season 01/Extras/file.mkv is as deep as episodes go


class FolderUnusable(Unavailable):
    """The series directory or a show folder cannot be read or written right now."""


class NoSeriesDirectory(Unavailable):
    def __init__(self) -> None:
        super().__init__(
            "No series directory is configured; set it with POST /api/config/directory",
            details={"setting": "series_directory"},
        )


def series_root() -> Path:
    """The configured series directory; `NoSeriesDirectory` when none is set."""
    root = config.get("series_directory")
    if not root:
        raise NoSeriesDirectory()
    return Path(root)


def usable_root() -> Path:
    """The series directory, which must exist now (`FolderUnusable`: unmounted, removed)."""
    root = series_root()
    if not root.is_dir():
        raise FolderUnusable(f"The series directory {root} is not available (unmounted?)")
    return root


def make_folder(folder: Path) -> None:
    """Create a show folder inside the (existing) series directory, if it is not there."""
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise FolderUnusable(f"Cannot create the folder {folder}: {exc.strerror}") from None


def folder_of(series: Series) -> Path:
    """The series' folder in the series directory; `Forbidden` when a link leads it out."""
    root = usable_root()
    folder = root / series.folder
    if not _stays_inside(str(folder), os.path.realpath(root)) or not series.folder:
        raise Forbidden(f"The folder of series '{series.key}' leads outside the series directory")
    return folder


def show_folders(root: Path) -> list[str]:
    """The names of `root`'s visible sub-folders, sorted (unreadable root: OSError)."""
    real_root = os.path.realpath(root)
    with os.scandir(root) as entries:
        names = [
            e.name for e in entries if not e.name.startswith(".") and _kind(e, real_root) == "dir"
        ]
    return sorted(names)


def unique_key(base: str, exclude_pk: int | None = None) -> str:
    """`base`, or `base-2`, `base-3` ... when another series has it."""
    taken = Series.objects.all() if exclude_pk is None else Series.objects.exclude(pk=exclude_pk)
    key, n = base, 1
    while taken.filter(key=key).exists():
        n += 1
        key = f"{base[:190]}-{n}"
    return key


def sync_folders(root: Path) -> int:
    """Create a `Series` for every show folder of `root` not known yet; returns how many show
    folders the directory holds (all of them are in the database afterwards)."""
    folders = show_folders(root)
    known = set(Series.objects.filter(folder__in=folders).values_list("folder", flat=True))
    for folder in folders:
        if folder in known:
            continue
        parsed = naming.parse_folder_name(folder)
        tmdb_id = parsed.tmdb_id
        if tmdb_id is not None and Series.objects.filter(tmdb_id=tmdb_id).exists():
            tmdb_id = None
        base = naming.make_key(parsed.name, tmdb_id)
        if parsed.year and Series.objects.filter(key=base).exists():
            base = f"{base}-{parsed.year}"
        Series.objects.create(
            key=unique_key(base),
            name=parsed.name,
            folder=folder,
            year=parsed.year,
            tmdb_id=tmdb_id,
            link=f"https://www.themoviedb.org/tv/{tmdb_id}" if tmdb_id else "",
        )
    logger.info("Series directory %s: %d show folders", root, len(folders))
    return len(folders)


@dataclass
class FolderFiles:
    """The episode files of one show folder, by what their names say."""

    numbered: dict[tuple[int, int], str] = field(default_factory=dict)  # (season, ep) -> path
    absolute: dict[int, str] = field(default_factory=dict)  # absolute number -> path
    unrecognised: list[str] = field(default_factory=list)
    # What could not be read: the show folder itself when it is missing (an unmounted share
    # leaves an empty mount point), or the entries the walk had to skip. Files there may exist,
    # so an episode seen before is not taken for missing (episodes.reconcile).
    unreadable: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.unreadable


def episode_files(folder: Path) -> FolderFiles:
    """Walk `folder` (see the module docstring) and sort its video files by their numbers."""
    found = FolderFiles()
    try:
        if not folder.is_dir():
            found.unreadable.append(str(folder))
            return found
    except OSError as exc:  # Path.is_dir() swallows "not found", not a permission error
        logger.warning("Cannot read %s: %s", folder, exc.strerror or exc)
        found.unreadable.append(str(folder))
        return found
    for path in _videos(folder, os.path.realpath(folder), 0, found.unreadable):
        relative = os.path.relpath(path, folder)
        ref = naming.parse_episode(relative)
        if ref.season is not None and ref.episodes:
            for number in ref.episodes:
                found.numbered.setdefault((ref.season, number), path)
        elif ref.absolute:
            for number in ref.absolute:
                found.absolute.setdefault(number, path)
        else:
            found.unrecognised.append(relative)
    return found


def _stays_inside(path: str, real_root: str) -> bool:
    """Whether `path`, its links followed, is inside the (resolved) `real_root`."""
    return is_inside(os.path.realpath(path), real_root)


def _kind(
    entry: os.DirEntry[str], real_root: str, unreadable: list[str] | None = None
) -> str | None:
    """`"dir"` or `"file"` for an entry that stays inside `real_root`, None for anything else.

    Following a link or stat-ing an entry can fail for that entry alone (a link into a folder
    the scan may not enter, a share that denies one file): the entry is skipped with one
    warning naming it (and added to `unreadable`), so one unreadable entry does not end the
    scan of all the others."""
    try:
        if not _stays_inside(entry.path, real_root):
            return None
        if entry.is_dir():
            return "dir"
        return "file" if entry.is_file() else None
    except OSError as exc:
        logger.warning("Skipping %s, which cannot be read: %s", entry.path, exc.strerror or exc)
        if unreadable is not None:
            unreadable.append(entry.path)
        return None


def _videos(folder: Path, show: str, depth: int, unreadable: list[str]) -> list[str]:
    try:
        with os.scandir(folder) as scanned:
            entries = sorted(scanned, key=lambda e: e.name)
    except OSError as exc:
        logger.warning("Cannot read %s: %s", folder, exc.strerror)
        unreadable.append(str(folder))
        return []
    paths: list[str] = []
    for entry in entries:
        kind = None if entry.name.startswith(".") else _kind(entry, show, unreadable)
        if kind == "dir":
            if depth < MAX_DEPTH and entry.name.lower() not in naming.IGNORED_FOLDERS:
                paths.extend(_videos(Path(entry.path), show, depth + 1, unreadable))
        elif kind == "file" and naming.is_video(entry.name):
            paths.append(entry.path)
    return paths

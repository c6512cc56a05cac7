"""Owner-only permissions for what Nomarr keeps in its data dir: the folder 0700, the SQLite
database (with its WAL and shared-memory files), the secret key and the backups 0600.

Applied at start-up, so existing installations are tightened too, and on every new SQLite
connection, because SQLite creates its files with the process umask (usually 0644). Only
permissions are ever removed, never added; Nomarr's own files are named, so a data dir that
also holds other files (a home folder, by mistake) keeps their modes.
"""

from __future__ import annotations

import logging
import stat
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.backends.signals import connection_created

logger = logging.getLogger(__name__)

DIR_MODE = 0o700
FILE_MODE = 0o600
SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")
OWN_FILES = ("secret_key",)
OWN_DATABASES = ("nomarr.sqlite3", "test-nomarr.sqlite3")
BACKUPS = "backups"


def restrict(path: Path, allowed: int) -> None:
    """Drop every permission bit of `path` outside `allowed`; symlinks and missing paths are left
    alone, and a file Nomarr may not chmod (another owner's) is logged, not fatal."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode):
        return
    current = stat.S_IMODE(info.st_mode)
    if current & ~allowed:
        try:
            path.chmod(current & allowed)
        except OSError as exc:
            logger.warning("Cannot restrict the permissions of %s: %s", path, exc)


def restrict_sqlite(database: str | Path) -> None:
    """The database file and the files SQLite keeps beside it."""
    for suffix in SQLITE_SUFFIXES:
        restrict(Path(f"{database}{suffix}"), FILE_MODE)


def secure_data_dir(data_dir: Path, databases: tuple[str | Path, ...] = ()) -> None:
    """Tighten the data dir, Nomarr's files in it, the backups and the given SQLite databases."""
    restrict(data_dir, DIR_MODE)
    for name in OWN_FILES:
        restrict(data_dir / name, FILE_MODE)
    for database in (*(data_dir / name for name in OWN_DATABASES), *databases):
        restrict_sqlite(database)
    backups = data_dir / BACKUPS
    restrict(backups, DIR_MODE)
    if backups.is_dir() and not backups.is_symlink():
        for entry in backups.iterdir():
            restrict(entry, FILE_MODE)


def secure_at_startup() -> None:
    """Called once per process (app ready): the configured data dir and SQLite database."""
    databases = tuple(
        db["NAME"]
        for db in settings.DATABASES.values()
        if db.get("ENGINE", "").endswith("sqlite3") and _is_file_name(db.get("NAME"))
    )
    secure_data_dir(Path(settings.DATA_DIR), databases)
    connection_created.connect(_on_connection, dispatch_uid="nomarr-private-sqlite")


def _is_file_name(name: Any) -> bool:
    text = str(name or "")
    return bool(text) and text != ":memory:" and not text.startswith("file:")


def _on_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
    # SQLite has just created (or opened) the database and its WAL/SHM files with the umask.
    if connection.vendor == "sqlite" and _is_file_name(connection.settings_dict.get("NAME")):
        restrict_sqlite(connection.settings_dict["NAME"])

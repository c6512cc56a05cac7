"""Configuration backups: JSON files in `<data dir>/backups` holding the stored settings.

Secrets are left out, on purpose. A backup is a plain file that people copy between machines,
keep in synced folders and attach to bug reports; a secret setting (a service's API key)
inside it would leak with it (ARCHITECTURE §7: secrets are never returned after creation). So a
backup holds every stored non-secret setting, a restore leaves the current secrets as they are,
and a file that carries a secret is refused. Re-enter secrets after moving to a new machine.

A file reads `{"format": "nomarr-config-backup", "version": 1, "created": "<UTC>",
"settings": {key: value}}`. Names are plain file names: letters, digits, `.`, `_`, `-`, no
leading dot, ending in `.json`; anything else (path separators, `..`, NUL) is refused before a
path is built. Files are written to a temporary file and renamed into place, so a crash never
leaves half a backup. Default-named backups older than `backup_keep_days` are pruned whenever
a new backup is written; custom-named ones are kept until deleted.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypedDict

from django.conf import settings
from django.utils import timezone

from nomarr_site import config, domain, files
from nomarr_site.timefmt import utc_iso

logger = logging.getLogger(__name__)

FORMAT = "nomarr-config-backup"
VERSION = 1
MAX_NAME_LENGTH = 100
MAX_FILE_BYTES = 1 << 20
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\.json")
DEFAULT_PATTERN = re.compile(r"config_backup_\d{8}_\d{6}(?:_\d+)?\.json")


class BackupInfo(TypedDict):
    name: str
    size: int
    created: str


def backup_dir() -> Path:
    return Path(settings.DATA_DIR) / "backups"


def clean_name(name: Any) -> str:
    """The backup file name for `name` (".json" appended when missing), or `domain.Invalid`."""
    shown = {"name": name[:120] if isinstance(name, str) else None}
    if not isinstance(name, str) or not name:
        raise domain.Invalid("A backup name is required.", details=shown)
    if any(c in name for c in "/\\\x00") or name.startswith("."):
        raise domain.Invalid(
            "Invalid backup name: use a plain file name, without path separators, NUL or a "
            "leading dot.",
            details=shown,
        )
    if not name.endswith(".json"):
        name += ".json"
    if len(name) > MAX_NAME_LENGTH:
        raise domain.Invalid(
            f"Invalid backup name: at most {MAX_NAME_LENGTH} characters.", details=shown
        )
    if not NAME_PATTERN.fullmatch(name):
        raise domain.Invalid(
            "Invalid backup name: start with a letter or digit and use only letters, digits, "
            "'.', '_' and '-'.",
            details=shown,
        )
    return name


def _path(name: Any) -> Path:
    folder = backup_dir()
    path = folder / clean_name(name)
    # Belt and braces: a clean name has no separators, so this only fails on a bug.
    if path.parent != folder:
        raise domain.Invalid("Invalid backup name.")
    return path


def _existing(name: Any) -> Path:
    path = _path(name)
    if path.is_symlink() or not path.is_file():
        raise domain.NotFound(f"Backup '{path.name}' not found.")
    return path


def list_backups() -> list[BackupInfo]:
    """Every backup file, newest first."""
    folder = backup_dir()
    if not folder.is_dir():
        return []
    found = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if NAME_PATTERN.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                info = entry.stat(follow_symlinks=False)
                found.append((info.st_mtime, entry.name, info.st_size))
    found.sort(reverse=True)
    return [
        {
            "name": name,
            "size": size,
            "created": utc_iso(datetime.fromtimestamp(mtime, UTC), "seconds"),
        }
        for mtime, name, size in found
    ]


def _default_name(folder: Path, now: datetime) -> str:
    stem = f"config_backup_{now.astimezone(UTC):%Y%m%d_%H%M%S}"
    for number in range(1, 100):
        name = f"{stem}.json" if number == 1 else f"{stem}_{number}.json"
        if not (folder / name).exists():
            return name
    raise domain.Conflict("Too many backups were created this second; try again.")


def create_backup(name: Any = None) -> str:
    """Write the stored non-secret settings to a new backup; returns its name. `name` None (or
    empty) picks `config_backup_<UTC time>.json`; an existing custom name is a 409."""
    folder = backup_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # atomic_write makes the files 0600
    now = timezone.now()
    if name is None or name == "":
        target = folder / _default_name(folder, now)
    else:
        target = _path(name)
        if target.exists() or target.is_symlink():
            raise domain.Conflict(f"A backup named '{target.name}' already exists.")
    payload = {
        "format": FORMAT,
        "version": VERSION,
        "created": utc_iso(now, "seconds"),
        "settings": config.stored_values(include_secrets=False),
    }
    files.atomic_write(target, json.dumps(payload, indent=2, sort_keys=True) + "\n")
    logger.info("Configuration backup %s written", target.name)
    prune(now, spare=target.name)
    return target.name


def backup_before_change() -> str | None:
    """With `backup_enabled`, write an automatic backup before the configuration changes."""
    return create_backup() if config.get("backup_enabled") else None


def prune(now: datetime | None = None, spare: str = "") -> list[str]:
    """Remove default-named backups older than `backup_keep_days` (0 keeps them all)."""
    days = config.get("backup_keep_days")
    folder = backup_dir()
    if not days or not folder.is_dir():
        return []
    cutoff = (now or timezone.now()).timestamp() - days * 86400
    removed = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name == spare or not DEFAULT_PATTERN.fullmatch(entry.name):
                continue
            if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < cutoff:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
                removed.append(entry.name)
    if removed:
        logger.info("Pruned %d configuration backups older than %d days", len(removed), days)
    return removed


def _load(path: Path) -> Any:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError:
        raise domain.Unprocessable(f"Backup '{path.name}' cannot be read.") from None
    if len(raw) > MAX_FILE_BYTES:
        raise domain.Unprocessable(f"Backup '{path.name}' is larger than {MAX_FILE_BYTES} bytes.")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise domain.Unprocessable(f"Backup '{path.name}' is not valid JSON.") from None


def read_backup(name: Any) -> dict[str, Any]:
    """The validated settings of a backup: 404 if missing, 422 (with per-key details) if it is
    not a Nomarr backup, names unknown settings or secrets, or holds invalid values."""
    path = _existing(name)
    data = _load(path)
    if (
        not isinstance(data, dict)
        or data.get("format") != FORMAT
        or data.get("version") != VERSION
        or not isinstance(data.get("settings"), dict)
    ):
        raise domain.Unprocessable(f"Backup '{path.name}' is not a Nomarr configuration backup.")
    values = data["settings"]
    secrets = {
        key: "secrets are not restored from backups"
        for key in values
        if key in config.DEFINITIONS and config.DEFINITIONS[key].secret
    }
    try:
        parsed = config.validate_many(values)
    except config.InvalidConfig as exc:
        secrets.update(exc.errors)
    if secrets:
        error = config.InvalidConfig(secrets)
        raise domain.Unprocessable(
            f"Backup '{path.name}' cannot be restored: {error}", details={"fields": secrets}
        )
    return parsed


def restore_backup(name: Any) -> None:
    """Make the stored settings what the backup holds (all or nothing); secrets stay."""
    values = read_backup(name)
    backup_before_change()
    config.set_many(values, reset_others=True)
    logger.info("Configuration restored from backup %s", clean_name(name))


def delete_backup(name: Any) -> str:
    path = _existing(name)
    try:
        path.unlink()
    except FileNotFoundError:
        raise domain.NotFound(f"Backup '{path.name}' not found.") from None
    return path.name

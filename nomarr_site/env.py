"""Strict reading of Nomarr's environment variables (and the optional env file).

Every value is parsed once at start-up; a value that does not parse stops start-up with an
`ImproperlyConfigured` that names the variable, so a typo never turns into a silent default.
"""

from __future__ import annotations

import os
import re
import secrets
import zoneinfo
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

from nomarr_site import files

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

env = environ.Env()

# Python's int() also reads other scripts' digits ("１２", "١٢"), underscores ("1_000") and
# Unicode spaces; a configuration value is plain ASCII, so a look-alike is a mistake to report.
ASCII_SPACE = " \t\r\n\f\v"
INTEGER = re.compile(r"[+-]?[0-9]+")


def load_env_file(base_dir: Path) -> Path | None:
    """Read `NOMARR_ENV_FILE` (or `.env` in the working directory) without overriding the
    real environment. Returns the file read, if any."""
    explicit = os.environ.get("NOMARR_ENV_FILE")
    path = Path(explicit) if explicit else base_dir / ".env"
    if explicit and not path.is_file():
        raise ImproperlyConfigured(f"NOMARR_ENV_FILE: no such file: {path}")
    if path.is_file():
        environ.Env.read_env(str(path), overwrite=False)
        return path
    return None


def get_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def parse_bool(raw: str) -> bool | None:
    """True/False for the usual words (1/0, yes/no, on/off, true/false), None for anything else."""
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def get_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = parse_bool(raw)
    if value is not None:
        return value
    raise ImproperlyConfigured(f"{name}: expected true/false (1/0, yes/no, on/off), got {raw!r}")


def _ascii_int(text: str) -> int | None:
    """`text` as an integer when it is ASCII digits with an optional sign, else None (also
    past the 4,300 digits Python's int() reads from text)."""
    if not INTEGER.fullmatch(text):
        return None
    try:
        return int(text)
    except ValueError:
        return None


def get_int(name: str, default: int, minimum: int | None = None, maximum: int | None = None) -> int:
    """ASCII digits with an optional sign, surrounded by ASCII spaces at most."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = _ascii_int(raw.strip(ASCII_SPACE))
    if value is None:
        raise ImproperlyConfigured(f"{name}: expected an integer, got {raw!r}")
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}: must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}: must be at most {maximum}, got {value}")
    return value


def get_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def get_url_base(name: str) -> str:
    """A URL path prefix such as `/nomarr` (no trailing slash), or "" when unset."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() in ("", "/"):
        return ""
    value = raw.strip().rstrip("/")
    segments = value.split("/")[1:]
    if (
        not value.startswith("/")
        or any(segment in ("", ".", "..") for segment in segments)
        or any(char in value for char in "?#%\\ ")
    ):
        raise ImproperlyConfigured(f"{name}: expected a path such as /nomarr, got {raw!r}")
    return value


def get_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of `choices` (log levels in any case). ASCII only: `str.upper()` turns look-alikes
    into letters ("ınfo", with a dotless ı, would read as INFO)."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    text = raw.strip(ASCII_SPACE)
    value = text.upper() if choices == LOG_LEVELS and text.isascii() else text
    if value not in choices:
        raise ImproperlyConfigured(f"{name}: expected one of {', '.join(choices)}, got {raw!r}")
    return value


def get_time_zone(name: str, default: str) -> str:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default

    try:
        zoneinfo.ZoneInfo(raw.strip())
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(f"{name}: unknown time zone {raw!r}") from None
    return raw.strip()


def get_database(name: str, default_sqlite: Path) -> dict[str, Any]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(default_sqlite)}
    try:
        config = env.db_url_config(raw.strip())
    except (ValueError, KeyError, ImproperlyConfigured) as exc:
        raise ImproperlyConfigured(f"{name}: cannot parse {raw!r}: {exc}") from None
    engine = config.get("ENGINE", "")
    if engine not in ("django.db.backends.sqlite3", "django.db.backends.postgresql"):
        raise ImproperlyConfigured(f"{name}: only sqlite:// and postgres:// URLs are supported")
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name}: the URL names no database")
    return config


def get_redis_url(name: str) -> str | None:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return None
    value = raw.strip()
    if not value.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"{name}: expected a redis:// or rediss:// URL, got {raw!r}")
    return value


def secret_key(data_dir: Path) -> str:
    """The `NOMARR_SECRET_KEY` if set, else a key generated once and kept in the data dir."""
    explicit = os.environ.get("NOMARR_SECRET_KEY") or os.environ.get("SECRET_KEY")
    if explicit:
        if len(explicit) < 32:
            raise ImproperlyConfigured("NOMARR_SECRET_KEY: must be at least 32 characters")
        return explicit
    key_file = data_dir / "secret_key"
    if key_file.is_file():
        value = key_file.read_text().strip()
        if value:
            return value
    value = secrets.token_urlsafe(50)
    # Two processes starting together must agree on one key: the first to create it wins.
    if not files.atomic_create(key_file, value):
        value = key_file.read_text().strip()
    return value


def data_dir(base_dir: Path) -> Path:
    raw = os.environ.get("NOMARR_DATA_DIR")
    path = Path(raw).expanduser() if raw else base_dir / "data"
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)  # owner only: database, secret key
    except OSError as exc:
        raise ImproperlyConfigured(f"NOMARR_DATA_DIR: cannot create {path}: {exc}") from None
    return path.resolve()

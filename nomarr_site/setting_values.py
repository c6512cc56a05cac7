"""What a setting's value may be: the parsers that check and normalise one value from JSON or
the environment, and the errors they raise. `nomarr_site/config.py` builds its settings on them."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nomarr_site import system_folders
from nomarr_site.domain import Invalid
from nomarr_site.env import FALSE_WORDS, TRUE_WORDS


class InvalidSetting(Invalid):
    """A value that does not fit its setting; the message says why (`details["key"]` names the
    setting once it is known)."""


class InvalidConfig(InvalidSetting):
    """Several settings or document fields that do not validate; `errors` maps each to why."""

    SHOWN = 10

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        lines = [f"{name}: {why}" for name, why in list(errors.items())[: self.SHOWN]]
        if len(errors) > self.SHOWN:
            lines.append(f"and {len(errors) - self.SHOWN} more")
        super().__init__("; ".join(lines), details={"fields": errors})

    def messages(self) -> list[str]:
        return [f"{name}: {why}" for name, why in self.errors.items()]


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS:
        return True
    if isinstance(value, str) and value.strip().lower() in FALSE_WORDS - {""}:
        return False
    raise InvalidSetting("expected true or false")


def _plain_number_text(value: Any) -> bool:
    """False for text Python's int() and float() read but a person would not write as a number:
    full-width or other non-ASCII digits ("１２") and digit separators ("1_000")."""
    return not isinstance(value, str) or (value.isascii() and "_" not in value)


@dataclass(frozen=True)
class IntBetween:
    """An integer in [low, high]; the bounds also tell forms what to offer."""

    low: int
    high: int

    def __call__(self, value: Any) -> int:
        if isinstance(value, bool) or not _plain_number_text(value):
            raise InvalidSetting("expected an integer")
        try:
            number = int(value)
        except (TypeError, ValueError, OverflowError):
            # OverflowError: JSON numbers like 1e400 arrive as float infinity.
            raise InvalidSetting("expected an integer") from None
        if isinstance(value, float) and value != number:
            raise InvalidSetting("expected an integer")
        if not self.low <= number <= self.high:
            raise InvalidSetting(f"must be between {self.low} and {self.high}")
        return number


@dataclass(frozen=True)
class FloatBetween:
    """A finite number in [low, high] (calibration thresholds)."""

    low: float
    high: float

    def __call__(self, value: Any) -> float:
        if isinstance(value, bool) or not _plain_number_text(value):
            raise InvalidSetting("expected a number")
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            raise InvalidSetting("expected a number") from None
        if not self.low <= number <= self.high:  # also refuses NaN and infinity
            raise InvalidSetting(f"must be between {self.low:g} and {self.high:g}")
        return number


@dataclass(frozen=True)
class OneOf:
    """One of a fixed set of words."""

    choices: tuple[str, ...]

    def __call__(self, value: Any) -> str:
        if not isinstance(value, str) or value.strip() not in self.choices:
            raise InvalidSetting(f"expected one of {', '.join(self.choices)}")
        return value.strip()


# ASCII only: tag keys outside it break some formats (FLAC's Vorbis comment names) and players.
NAMESPACE = re.compile(r"[A-Za-z0-9_-]{1,32}")


def namespace_value(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidSetting("expected text")
    text = value.strip()
    if not NAMESPACE.fullmatch(text):
        raise InvalidSetting("use 1-32 ASCII letters, digits, '-' or '_'")
    return text


# A TMDB v3 key (32 hex digits) or v4 read access token (a JWT): printable ASCII, no spaces.
API_TOKEN = re.compile(r"[\x21-\x7e]{1,1024}")
LANGUAGE = re.compile(r"[a-z]{2}(?:-[A-Z]{2})?")


def api_token(value: Any) -> str:
    """An API key or token; blank clears it."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    if not isinstance(value, str) or not API_TOKEN.fullmatch(value.strip()):
        raise InvalidSetting("expected up to 1024 printable ASCII characters without spaces")
    return value.strip()


def language_code(value: Any) -> str:
    """An ISO 639-1 language, optionally with a region: `en`, `en-US`, `de-DE`."""
    if not isinstance(value, str) or not LANGUAGE.fullmatch(value.strip()):
        raise InvalidSetting("expected a language code such as en-US or de")
    return value.strip()


def text_of(max_length: int, blank: bool = True) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        if value is None and blank:
            return ""
        if not isinstance(value, str):
            raise InvalidSetting("expected text")
        if len(value) > max_length:
            raise InvalidSetting(f"at most {max_length} characters")
        if not blank and not value.strip():
            raise InvalidSetting("must not be blank")
        return value.strip()

    return parse


def path_value(value: Any) -> str:
    text = text_of(4096, blank=False)(value)
    if "\x00" in text:
        raise InvalidSetting("must not contain a NUL character")
    if not os.path.isabs(text):
        raise InvalidSetting("must be an absolute path")
    return os.path.normpath(text)


# ASCII digits only: str.isdigit() and int() also take full-width and other Unicode digits.
TIME_OF_DAY = re.compile(r"([0-9]{1,2}):([0-9]{2})")


def time_of_day(value: Any) -> str:
    text = text_of(5, blank=False)(value)
    match = TIME_OF_DAY.fullmatch(text)
    if not match:
        raise InvalidSetting("expected HH:MM")
    hours, minutes = match.groups()
    if not (0 <= int(hours) <= 23 and 0 <= int(minutes) <= 59):
        raise InvalidSetting("expected HH:MM between 00:00 and 23:59")
    return f"{int(hours):02d}:{minutes}"


DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class SomeOf:
    """A non-empty list drawn from a fixed set, de-duplicated and kept in the set's order."""

    choices: tuple[str, ...]

    def __call__(self, value: Any) -> list[str]:
        if not isinstance(value, list) or not value:
            raise InvalidSetting(f"expected a non-empty list of {', '.join(self.choices)}")
        picked = set()
        for item in value:
            word = item.strip().lower() if isinstance(item, str) else None
            if word not in self.choices:
                raise InvalidSetting(
                    f"unknown value {str(item)[:20]!r}; use {', '.join(self.choices)}"
                )
            picked.add(word)
        return [choice for choice in self.choices if choice in picked]


def readable_folder(path: str) -> None:
    """Refuse a folder that is missing or that Nomarr cannot list."""
    if not os.path.exists(path):
        raise InvalidSetting(f"{path} does not exist")
    if not os.path.isdir(path):
        raise InvalidSetting(f"{path} is not a directory")
    if not os.access(path, os.R_OK | os.X_OK):
        raise InvalidSetting(f"{path} cannot be read by Nomarr")
    try:
        with os.scandir(path) as entries:
            next(entries, None)
    except OSError as exc:
        raise InvalidSetting(f"{path} cannot be read: {exc.strerror}") from None


def media_folder(path: str) -> None:
    """Refuse a folder Nomarr writes media into (the series directory) that is a system folder
    or lies in the data dir, or that is missing or unreadable; "" (none) passes."""
    if not path:
        return
    reason = system_folders.refusal(path)
    if reason is not None:
        raise InvalidSetting(reason)
    readable_folder(path)


def import_folders(paths: list[str]) -> None:
    """Refuse an import folder that is a system folder or lies in the data dir: an import moves
    the file it names out of its folder, so `/` would let a key move any file on the machine.
    A folder that does not exist yet passes (it may be mounted later)."""
    for path in paths:
        reason = system_folders.refusal(path)
        if reason is not None:
            raise InvalidSetting(reason)


def optional_path(value: Any) -> str:
    return "" if value in (None, "") else path_value(value)


def comma_list(raw: str) -> list[str]:
    """Environment form of a list setting: `mon,wed,fri`."""
    return [part.strip() for part in raw.split(",") if part.strip()]


MAX_FOLDERS = 50


def path_list(value: Any) -> list[str]:
    """Absolute folders, as a list or one text separated by commas or new lines (the settings
    form's text input); duplicates dropped, order kept."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = [part for line in value.splitlines() for part in line.split(",")]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidSetting("expected a list of absolute folders")
    folders = [path_value(item) for item in value if item.strip()]
    if len(folders) > MAX_FOLDERS:
        raise InvalidSetting(f"at most {MAX_FOLDERS} folders")
    return list(dict.fromkeys(folders))


HTTP_URL = re.compile(r"https?://[A-Za-z0-9.\-\[\]:]+(?::[0-9]{1,5})?(?:/[\x21-\x7e]*)?")


def http_url(value: Any) -> str:
    """An http(s) URL of a server on the network (`http://sabnzbd:8080`); blank clears it.
    A trailing slash is dropped so paths can be appended."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    if not isinstance(value, str) or len(value) > 500 or not HTTP_URL.fullmatch(value.strip()):
        raise InvalidSetting("expected an http:// or https:// URL without spaces")
    return value.strip().rstrip("/")

"""The user-editable settings store: values kept in the database (`AppSetting`), and
environment overrides (`NOMARR_<KEY>`) that win over both.

Every setting is defined once, in `nomarr_site/setting_catalogue.py`, with its type and
validation, so the API, the settings page and the services read and check values the same way
through this module. A `sealed` secret (the TMDB key, a downloader's API key or password) is
stored encrypted (`nomarr_site/sealing.py`); `secret` reads one and says when it no longer opens.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction

from nomarr_site import sealing
from nomarr_site.env import LOG_LEVELS  # noqa: F401 - part of this module's interface
from nomarr_site.models import AppSetting
from nomarr_site.setting_catalogue import (  # noqa: F401 - part of this module's interface
    CALIBRATION_SETTINGS,
    DEFINITIONS,
    IMPORT_SETTINGS,
    Setting,
)

# Re-exported for callers that read them as `config.X` (config.InvalidSetting, config.DAYS ...).
from nomarr_site.setting_values import (  # noqa: F401
    DAYS,
    IntBetween,
    InvalidConfig,
    InvalidSetting,
    OneOf,
    SomeOf,
    media_folder,
    path_value,
    readable_folder,
)


def definition(key: str) -> Setting:
    try:
        return DEFINITIONS[key]
    except KeyError:
        raise InvalidSetting(f"unknown setting '{key}'", details={"key": key}) from None


def validate(key: str, value: Any) -> Any:
    """The parsed value, or InvalidSetting naming the key."""
    item = definition(key)
    try:
        return item.parse(value)
    except InvalidSetting as exc:
        raise InvalidSetting(f"{key}: {exc}", details={"key": key}) from None


def validate_change(key: str, value: Any) -> Any:
    """`validate` for a person's edit: a changed value must also work here (a models folder
    must exist and be readable)."""
    definition(key)  # an unknown key is refused in its own words
    try:
        return parse_change(key, value)
    except InvalidSetting as exc:
        raise InvalidSetting(f"{key}: {exc}", details={"key": key}) from None


def parse_change(key: str, value: Any) -> Any:
    """The setting's `parse`, and for a value other than the current one its `usable` check
    too: an unchanged value passes, so a document read with GET can be sent back as it is."""
    item = definition(key)
    parsed = item.parse(value)
    if item.usable is not None and parsed != get(key):
        item.usable(parsed)
    return parsed


def env_override(item: Setting) -> tuple[bool, Any]:
    raw = os.environ.get(item.env_name)
    if raw is None:
        return False, None
    try:
        parsed = item.parse_env(raw)
    except InvalidSetting:
        return False, None  # a bad override is reported by `overridden_problems`
    return True, parsed


def _env_problems(strict: bool) -> list[tuple[Setting, str]]:
    problems = []
    for item in DEFINITIONS.values():
        raw = os.environ.get(item.env_name)
        if raw is None or item.strict_env != strict:
            continue
        try:
            item.parse_env(raw)
        except InvalidSetting as exc:
            problems.append((item, str(exc)))
    return problems


def overridden_problems() -> list[str]:
    """Environment overrides that do not parse (and are therefore ignored), named by variable."""
    return [
        f"{item.env_name}: {why}; the override is ignored" for item, why in _env_problems(False)
    ]


def fatal_env_problems() -> list[str]:
    """Environment values of `strict_env` settings that do not parse, named by variable: they
    stop start-up (a namespace Nomarr cannot write must not silently become the default)."""
    return [
        f"{item.env_name}: {why}, got {os.environ[item.env_name]!r}"
        for item, why in _env_problems(True)
    ]


class SecretUnreadable(Exception):
    """A sealed setting is stored but no longer opens (SECRET_KEY changed): its owner must
    enter it again. Callers turn it into their own domain error naming the setting."""

    def __init__(self, key: str) -> None:
        super().__init__(f"the stored {key} cannot be read (was the secret key changed?)")
        self.key = key


def get(key: str) -> Any:
    item = definition(key)
    found, value = env_override(item)
    if found:
        return value
    stored = AppSetting.objects.filter(key=key).first()
    if stored is not None:
        try:
            return item.parse(_opened(item, stored.value))
        except InvalidSetting:
            pass
    return item.default()


def secret(key: str) -> Any:
    """A sealed setting's value as `get` reads it ("" when unset), or `SecretUnreadable` when a
    stored value no longer opens: `get` reads that as unset, which would let a service run
    without its credential or tell the owner to set what they believe is set."""
    item = definition(key)
    if item.sealed and not env_override(item)[0]:
        stored = AppSetting.objects.filter(key=key).values_list("value", flat=True).first()
        if stored:
            try:
                sealing.unseal(str(stored))
            except sealing.Unreadable:
                raise SecretUnreadable(key) from None
    return get(key)


# Callables told which setting keys a change touched (after it is saved): an app whose work
# follows a setting (the rescan schedule) registers one instead of this module importing it.
_change_listeners: list[Callable[[set[str]], None]] = []


def register_change_listener(listener: Callable[[set[str]], None]) -> None:
    if listener not in _change_listeners:
        _change_listeners.append(listener)


def _changed(keys: set[str]) -> None:
    for listener in list(_change_listeners):
        listener(keys)


def _opened(item: Setting, stored: Any) -> Any:
    """A stored value as `parse` reads it: a sealed one decrypted (unreadable: InvalidSetting,
    so it reads as unset and the owner enters it again)."""
    if not item.sealed or not stored:
        return stored
    try:
        return sealing.unseal(str(stored))
    except sealing.Unreadable as exc:
        raise InvalidSetting(str(exc)) from None


def _storable(item: Setting, parsed: Any) -> Any:
    return sealing.seal(parsed) if item.sealed and parsed else parsed


def set_value(key: str, value: Any) -> Any:
    parsed = validate(key, value)
    stored = _storable(definition(key), parsed)
    AppSetting.objects.update_or_create(key=key, defaults={"value": stored})
    _changed({key})
    return parsed


def all_values(reveal_secrets: bool = False) -> dict[str, Any]:
    values = {}
    for key, item in DEFINITIONS.items():
        value = get(key)
        if item.secret and not reveal_secrets:
            value = bool(value)
        values[key] = value
    return values


def overridden_keys() -> list[str]:
    return [key for key, item in DEFINITIONS.items() if env_override(item)[0]]


def validate_many(values: Mapping[str, Any]) -> dict[str, Any]:
    """Every value parsed, or InvalidConfig naming each unknown key and each invalid value."""
    parsed, errors = {}, {}
    for key, value in values.items():
        item = DEFINITIONS.get(key)
        if item is None:
            errors[str(key)] = "unknown setting"
            continue
        try:
            parsed[key] = item.parse(value)
        except InvalidSetting as exc:
            errors[key] = str(exc)
    if errors:
        raise InvalidConfig(errors)
    return parsed


def set_many(values: Mapping[str, Any], reset_others: bool = False) -> dict[str, Any]:
    """Validate every value first, then save them all in one transaction: an invalid value
    saves nothing. With `reset_others`, stored non-secret settings missing from `values` go
    back to their defaults (what a restore wants)."""
    parsed = validate_many(values)
    with transaction.atomic():
        for key, value in parsed.items():
            stored = _storable(DEFINITIONS[key], value)
            AppSetting.objects.update_or_create(key=key, defaults={"value": stored})
        if reset_others:
            public = [k for k, item in DEFINITIONS.items() if not item.secret and k not in parsed]
            AppSetting.objects.filter(key__in=public).delete()
        _changed(set(DEFINITIONS) if reset_others else set(parsed))
    return parsed


def stored_values(include_secrets: bool = False) -> dict[str, Any]:
    """The settings saved in the database (not defaults, not environment overrides)."""
    values = {}
    for row in AppSetting.objects.filter(key__in=list(DEFINITIONS)).order_by("key"):
        item = DEFINITIONS[row.key]
        if item.secret and not include_secrets:
            continue
        try:
            values[row.key] = item.parse(_opened(item, row.value))
        except InvalidSetting:
            continue  # an unparseable row already reads as the default
    return values


def set_series_directory(directory: Any) -> int:
    """Store `directory` (absolute, existing, readable, neither a system folder nor in the data
    dir) as the series directory and return how many series folders it holds: its immediate
    sub-folders, hidden ones not counted. Nothing is imported here; scanning the series library
    is the library app's work."""
    path = path_value(directory)
    media_folder(path)
    try:
        with os.scandir(path) as entries:
            count = sum(1 for e in entries if not e.name.startswith(".") and e.is_dir())
    except OSError as exc:
        raise InvalidSetting(f"{path} cannot be read: {exc.strerror}") from None
    set_value("series_directory", path)
    return count

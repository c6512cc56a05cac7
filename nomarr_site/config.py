"""The user-editable settings store: typed definitions with defaults, values kept in the
database (`AppSetting`), and environment overrides (`NOMARR_<KEY>`) that win over both.

Every setting is defined once here, with its type and validation, so the API, the settings
page and the services read and check values the same way. A `sealed` secret (a downloader's
API key or password) is stored encrypted (`nomarr_site/sealing.py`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction

from library.tagging.openvino_models import availability as openvino_availability
from nomarr_site import sealing
from nomarr_site.env import LOG_LEVELS
from nomarr_site.models import AppSetting
from nomarr_site.setting_values import (  # noqa: F401 - InvalidSetting/InvalidConfig, DAYS and the
    # parsers are part of this module's interface (config.InvalidSetting, config.SomeOf ...)
    DAYS,
    FloatBetween,
    IntBetween,
    InvalidConfig,
    InvalidSetting,
    OneOf,
    SomeOf,
    api_token,
    boolean,
    comma_list,
    http_url,
    language_code,
    namespace_value,
    optional_path,
    path_list,
    path_value,
    readable_folder,
    text_of,
    time_of_day,
)


@dataclass(frozen=True)
class Setting:
    """One setting. `parse` checks and normalises a value from JSON; `from_env` turns the text
    of its environment variable into what `parse` expects (a list for list settings)."""

    key: str
    default: Callable[[], Any]
    parse: Callable[[Any], Any]
    description: str
    secret: bool = False
    restart: bool = False
    env: str = field(default="")
    from_env: Callable[[str], Any] = str
    # Checked only when a person changes the value (the folder may be unmounted for a while
    # later; reading it then must not fall back to the default).
    usable: Callable[[Any], None] | None = None
    # A bad environment value stops start-up (a system check error) instead of being ignored.
    strict_env: bool = False
    # Stored encrypted (a secret that opens another service).
    sealed: bool = False

    @property
    def env_name(self) -> str:
        return self.env or f"NOMARR_{self.key.upper()}"

    def parse_env(self, raw: str) -> Any:
        return self.parse(self.from_env(raw))

    def parse_change(self, value: Any) -> Any:
        """`parse`, and for a value other than the current one, the `usable` check too: an
        unchanged value passes, so a document read with GET can be sent back as it is."""
        parsed = self.parse(value)
        if self.usable is not None and parsed != get(self.key):
            self.usable(parsed)
        return parsed


def _drift(key: str, default: float, what: str) -> Setting:
    return Setting(
        f"calibration_drift_{key}",
        lambda: default,
        FloatBetween(0.0, 1.0),
        f"A head stays stable (keeps its reference calibration) while {what} is at most this.",
    )


CALIBRATION_SETTINGS = [
    Setting(
        "calibration_min_samples",
        lambda: 100,
        IntBetween(2, 10_000_000),
        "Tracks with stored scores needed before a calibration can be generated.",
    ),
    _drift("p5", 0.01, "the change of a class's 5th percentile"),
    _drift("p95", 0.01, "the change of a class's 95th percentile"),
    _drift("spread", 0.05, "the change of p95 - p5"),
    _drift("js", 0.1, "the Jensen-Shannon divergence (base 2) of the histograms"),
    _drift("median", 0.05, "the change of the median"),
    _drift("iqr", 0.1, "the change of the interquartile range"),
    Setting(
        "mood_standard_tags",
        lambda: True,
        boolean,
        "Also write tiered moods to the file's standard mood field (ID3 TMOO, Vorbis MOOD, "
        "MP4 ----:com.apple.iTunes:MOOD).",
    ),
    Setting(
        "mood_standard_tier",
        lambda: "regular",
        OneOf(("strict", "regular", "loose")),
        "Which mood tier goes to the standard mood field.",
    ),
]

IMPORT_SETTINGS = [
    Setting(
        "import_roots",
        list,
        path_list,
        "Folders that POST /api/import/file may import from (comma-separated); none: imports "
        "are refused.",
        from_env=comma_list,
    ),
    Setting(
        "import_music_library",
        lambda: 0,
        IntBetween(0, 2**31 - 1),
        "Id of the music library imported audio goes to; 0: the first enabled music library.",
    ),
    Setting(
        "import_nzb_client",
        lambda: "none",
        OneOf(("none", "sabnzbd", "nzbget")),
        "Where imported NZB files are sent; none: NZB imports are refused.",
    ),
    Setting("sabnzbd_url", lambda: "", http_url, "SABnzbd's address, e.g. http://sabnzbd:8080."),
    Setting(
        "sabnzbd_api_key",
        lambda: "",
        api_token,
        "SABnzbd's API key (Config → General).",
        secret=True,
        sealed=True,
    ),
    Setting("sabnzbd_category", lambda: "", text_of(100), "SABnzbd category; empty: its default."),
    Setting("nzbget_url", lambda: "", http_url, "NZBGet's address, e.g. http://nzbget:6789."),
    Setting("nzbget_username", lambda: "", text_of(200), "NZBGet's control username."),
    Setting(
        "nzbget_password",
        lambda: "",
        text_of(1024),
        "NZBGet's control password.",
        secret=True,
        sealed=True,
    ),
    Setting("nzbget_category", lambda: "", text_of(100), "NZBGet category; empty: none."),
]

DEFINITIONS: dict[str, Setting] = {
    s.key: s
    for s in [
        Setting(
            "models_dir",
            lambda: settings.MODELS_DIR,
            path_value,
            "Folder holding the Essentia models (.pb graphs and their .json metadata).",
            usable=readable_folder,
        ),
        Setting(
            "library_auto_tag", lambda: True, boolean, "Queue new or changed files for tagging."
        ),
        Setting(
            "file_write_mode",
            lambda: "full",
            OneOf(("none", "minimal", "full")),
            "none: database only; minimal: mood tiers and version; full: every head.",
        ),
        Setting(
            "namespace",
            lambda: "nom",
            namespace_value,
            "Prefix of the tags Nomarr writes.",
            strict_env=True,
        ),
        Setting(
            "tagging_preset",
            lambda: "reference",
            OneOf(("reference", "fast")),
            "reference: Essentia's patch hops; fast: sparser hops, about twice the throughput.",
        ),
        Setting(
            "inference_engine",
            lambda: "openvino" if openvino_availability()[0] else "essentia",
            OneOf(("openvino", "essentia")),
            "openvino: runs Essentia's graphs about twice as fast with the same scores (the "
            "default where it works); essentia: Essentia's own engine, the reference.",
        ),
        Setting(
            "inference_precision",
            lambda: "exact",
            OneOf(("exact", "fast")),
            "OpenVINO only. exact: 32-bit floats, the essentia engine's scores to 1e-5; fast: "
            "the CPU's reduced precision (bf16) where it has one, scores within 0.02.",
        ),
        Setting("scheduler_enabled", lambda: True, boolean, "Run the scheduled rescan."),
        Setting(
            "scheduler_interval_minutes",
            lambda: 60,
            IntBetween(1, 7 * 24 * 60),
            "Minutes between scheduled rescans on a chosen day, from the time of day on.",
        ),
        Setting("scheduler_time", lambda: "03:00", time_of_day, "Time of day of the daily rescan."),
        Setting(
            "scheduler_days",
            lambda: list(DAYS),
            SomeOf(DAYS),
            "Days the scheduled rescan runs.",
            from_env=comma_list,
        ),
        Setting(
            "scheduler_auto_download",
            lambda: False,
            boolean,
            "Queue missing episodes after a scheduled rescan.",
        ),
        Setting(
            "log_level",
            lambda: settings.LOG_LEVEL,
            OneOf(LOG_LEVELS),
            "Logging level.",
            restart=True,
        ),
        Setting(
            "log_backup_count",
            lambda: 3,
            IntBetween(0, 100),
            "Rotated log files kept when logging goes to a file (Nomarr logs to the console).",
            restart=True,
        ),
        Setting(
            "backup_enabled",
            lambda: False,
            boolean,
            "Write a configuration backup automatically before each change made through "
            "PUT /api/config or a restore.",
        ),
        Setting(
            "backup_keep_days",
            lambda: 30,
            IntBetween(0, 3650),
            "Days that automatic (default-named) backups are kept; 0 keeps them forever. "
            "Backups with a custom name are never removed.",
        ),
        *CALIBRATION_SETTINGS,
        Setting(
            "invitation_display_name",
            lambda: "",
            text_of(200),
            "Name invitations show for your servers; empty: the names of the invitation's "
            "servers, joined by commas.",
        ),
        Setting(
            "expired_user_action",
            lambda: "disable",
            OneOf(("disable", "delete")),
            "What happens to an account when it expires: disable it where the server can "
            "(Navidrome cannot: deleted there), or delete it everywhere.",
        ),
        Setting(
            "series_directory",
            lambda: "",
            optional_path,
            "Folder of the series library.",
        ),
        Setting(
            "downloads_max_concurrent",
            lambda: 1,
            IntBetween(1, 10),
            "Episode downloads that run at once (1-10); a change applies to the next download "
            "a worker starts. The environment variable NOMARR_CONCURRENCY_DOWNLOAD overrides it.",
        ),
        Setting(
            "tmdb_api_key",
            lambda: "",
            api_token,
            "TMDB API key (v3) or read access token (v4) for series metadata and artwork.",
            secret=True,
        ),
        Setting(
            "tmdb_language",
            lambda: "en-US",
            language_code,
            "Language of series titles, plots and artwork from TMDB (en-US, de-DE, ja-JP ...).",
        ),
        *IMPORT_SETTINGS,
    ]
}


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
    item = definition(key)
    try:
        return item.parse_change(value)
    except InvalidSetting as exc:
        raise InvalidSetting(f"{key}: {exc}", details={"key": key}) from None


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
    """Store `directory` (absolute, existing, readable folder) as the series directory and return
    how many series folders it holds: its immediate sub-folders, hidden ones not counted. Nothing
    is imported here; scanning the series library is the library app's work."""
    path = path_value(directory)
    readable_folder(path)
    try:
        with os.scandir(path) as entries:
            count = sum(1 for e in entries if not e.name.startswith(".") and e.is_dir())
    except OSError as exc:
        raise InvalidSetting(f"{path} cannot be read: {exc.strerror}") from None
    set_value("series_directory", path)
    return count

"""Every user-editable setting, defined once: its key, default, parser (type and validation),
description and how the environment may override it. `nomarr_site.config` stores, reads and
checks values against these definitions; the API, the settings page and the services read
them through it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from library.models import Library
from library.tagging.openvino_models import availability as openvino_availability
from nomarr_site.env import LOG_LEVELS
from nomarr_site.setting_values import (
    DAYS,
    FloatBetween,
    IntBetween,
    InvalidSetting,
    OneOf,
    SomeOf,
    api_token,
    boolean,
    comma_list,
    http_url,
    import_folders,
    language_code,
    media_folder,
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


def enabled_music_library(library_id: int) -> None:
    """Refuse an id that names no enabled music library (0, the default library, passes): the
    import queue refuses it too, but only when a file arrives, long after the setting was
    saved."""
    rows = Library.objects.filter(kind=Library.Kind.MUSIC, is_enabled=True)
    if library_id and not rows.filter(pk=library_id).exists():
        raise InvalidSetting(f"library {library_id} is not an enabled music library")


IMPORT_SETTINGS = [
    Setting(
        "import_roots",
        list,
        path_list,
        "Folders that POST /api/import/file may import from (comma-separated); none: imports "
        "are refused.",
        from_env=comma_list,
        usable=import_folders,
    ),
    Setting(
        "import_music_library",
        lambda: 0,
        IntBetween(0, 2**31 - 1),
        "Id of the music library imported audio goes to; 0: the first enabled music library.",
        usable=enabled_music_library,
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
            "Logging level; a change reaches every Nomarr process within 30 seconds.",
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
            usable=media_folder,
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
            sealed=True,
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

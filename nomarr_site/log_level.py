"""The stored `log_level` setting applied to the project's loggers, in every process.

`settings.LOGGING` starts each process at `NOMARR_LOG_LEVEL`; the stored setting then wins. The
process that saves a change applies it at once (a config change listener); every other process
(more web processes, django-q2 workers) reads it again at most every `REFRESH_SECONDS`, when a
request or a task starts (the cluster's main process: from its sweep; `serve`: after migrating),
so no process needs a restart and the database is not read per request.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.signals import request_started
from django.db import DatabaseError
from django_q.signals import pre_execute

from jobs.hooks import register_periodic
from nomarr_site import config

logger = logging.getLogger(__name__)

REFRESH_SECONDS = 30.0
# The loggers `settings.LOGGING` gives NOMARR_LOG_LEVEL; the project's own loggers (library.*,
# jobs.* ...) set no level and follow the root. Noisy third parties keep their fixed levels.
LOGGERS = ("", "django")

_lock = threading.Lock()
_checked_at: float | None = None


def apply(level: str) -> None:
    """Set `level` (one of config.LOG_LEVELS) on the project's loggers."""
    for name in LOGGERS:
        logging.getLogger(name or None).setLevel(level)


def refresh(force: bool = False) -> None:
    """Apply the stored level unless it was read less than REFRESH_SECONDS ago (or `force`).
    A database that cannot be read yet (before migrations) keeps the current level."""
    global _checked_at
    now = time.monotonic()
    with _lock:
        if not force and _checked_at is not None and now - _checked_at < REFRESH_SECONDS:
            return
        _checked_at = now
    try:
        level = config.get("log_level")
    except DatabaseError:
        logger.debug("log_level cannot be read yet; the level stays as it is")
        return
    apply(level)


def _settings_changed(keys: set[str]) -> None:
    if "log_level" in keys:
        refresh(force=True)


def _on_start(**_: object) -> None:
    refresh()


def install() -> None:
    """Follow the setting in this process (called from the app's `ready`)."""
    config.register_change_listener(_settings_changed)
    register_periodic("log_level", REFRESH_SECONDS, lambda: refresh(force=True))
    request_started.connect(_on_start, dispatch_uid="nomarr-log-level-request")
    pre_execute.connect(_on_start, dispatch_uid="nomarr-log-level-task")

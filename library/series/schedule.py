"""The series-library scheduler: a rescan (and, when asked, the download of what is missing) on
the owner's schedule, run by django-q2's scheduler.

When it runs: on each of `schedule_days`, first at `schedule_time` and then every
`interval_minutes` until the end of that day, in the server's time zone (`NOMARR_TIME_ZONE`).
An interval of a day or more means once a day. The next run is one django-q2 `Schedule` row
(type once, re-armed after each run), planned from the settings by `plan()`: on every change
of a `scheduler_*` setting (whichever way it was made), after each run, and by the cluster's
sweep about once a minute, so a lost row is put back. A run missed while Nomarr was stopped
happens once when it starts again.

A run queues the `series_scan` job (one at a time: a run while a scan is queued joins it) with
`then_download` when `auto_download_after_rescan` is on; `RescanSchedule` keeps the last run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule

from jobs.hooks import register_periodic
from jobs.models import Job
from library.models import RescanSchedule
from library.series.scan import FolderUnusable, NoSeriesDirectory, usable_root
from library.series.scan_job import queue_series_scan
from nomarr_site import config

logger = logging.getLogger(__name__)

SCHEDULE_NAME = "nomarr.series_rescan"
TASK = "library.series.schedule.run_scheduled_rescan"
KEYS = {
    "enabled": "scheduler_enabled",
    "interval_minutes": "scheduler_interval_minutes",
    "schedule_time": "scheduler_time",
    "schedule_days": "scheduler_days",
    "auto_download_after_rescan": "scheduler_auto_download",
}
DAYS = config.DAYS  # Monday first, as date.weekday() counts
CHECK_SECONDS = 60
MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True)
class Plan:
    """The scheduler's settings, read once."""

    enabled: bool
    interval_minutes: int
    schedule_time: str
    schedule_days: tuple[str, ...]
    auto_download_after_rescan: bool

    @classmethod
    def current(cls) -> Plan:
        return cls(
            enabled=bool(config.get("scheduler_enabled")),
            interval_minutes=int(config.get("scheduler_interval_minutes")),
            schedule_time=str(config.get("scheduler_time")),
            schedule_days=tuple(config.get("scheduler_days")),
            auto_download_after_rescan=bool(config.get("scheduler_auto_download")),
        )

    def as_config(self) -> dict[str, Any]:
        """The reference's `config` object."""
        return {
            "enabled": self.enabled,
            "interval_minutes": self.interval_minutes,
            "schedule_time": self.schedule_time,
            "schedule_days": list(self.schedule_days),
            "auto_download_after_rescan": self.auto_download_after_rescan,
        }

    def times_on(self, day: date) -> list[datetime]:
        """The runs on `day` (aware, in the current time zone): none on a day not chosen."""
        if DAYS[day.weekday()] not in self.schedule_days:
            return []
        hours, minutes = (int(part) for part in self.schedule_time.split(":"))
        zone = timezone.get_current_timezone()
        first = hours * 60 + minutes
        step = max(1, self.interval_minutes)
        return [
            timezone.make_aware(datetime.combine(day, time(m // 60, m % 60)), zone)
            for m in range(first, MINUTES_PER_DAY, step)
        ]

    def next_run_after(self, moment: datetime) -> datetime | None:
        """The first run strictly after `moment`; None when disabled or no day is chosen."""
        if not self.enabled or not self.schedule_days:
            return None
        today = timezone.localtime(moment).date()
        for offset in range(8):  # a chosen day comes within a week (and today again)
            for run in self.times_on(today + timedelta(days=offset)):
                if run > moment:
                    return run
        return None


def _row() -> Schedule | None:
    return Schedule.objects.filter(name=SCHEDULE_NAME).order_by("pk").first()


def plan(after: datetime | None = None) -> datetime | None:
    """Arm (or remove) the django-q2 schedule from the settings; returns the next run.

    `after` None is the sweep's check: a row whose time passed and that has not fired yet is
    left to fire (so a run missed while no cluster was up happens once). With `after` (a run
    just happened, a setting changed) the row moves to the first run after that moment."""
    now = timezone.now()
    wanted = Plan.current().next_run_after(after or now)
    with transaction.atomic():
        row = Schedule.objects.select_for_update().filter(name=SCHEDULE_NAME).first()
        if wanted is None:
            if row is not None:
                row.delete()
            return None
        if row is None:
            Schedule.objects.create(
                name=SCHEDULE_NAME,
                func=TASK,
                schedule_type=Schedule.ONCE,
                repeats=1,
                next_run=wanted,
            )
            return wanted
        due: datetime | None = row.next_run
        if after is None and row.repeats != 0 and due is not None and due <= now:
            return due
        if (row.next_run, row.repeats, row.func, row.schedule_type) != (
            wanted,
            1,
            TASK,
            Schedule.ONCE,
        ):
            row.func, row.schedule_type, row.repeats, row.next_run = TASK, Schedule.ONCE, 1, wanted
            row.save()
    return wanted


def scan_in_progress() -> bool:
    return Job.objects.filter(kind="series_scan", status__in=Job.ACTIVE).exists()


def status() -> dict[str, Any]:
    """The reference's `status` object: whether the scheduler will run, when, when it last did,
    and whether a series scan is queued or running now."""
    row = _row()
    armed = row is not None and row.repeats != 0 and row.next_run is not None
    next_run = (
        row.next_run if armed and row is not None else Plan.current().next_run_after(timezone.now())
    )
    last = RescanSchedule.get().last_run
    return {
        "is_running": Plan.current().enabled and next_run is not None,
        "next_run": next_run.isoformat() if next_run else None,
        "last_run": last.isoformat() if last else None,
        "scan_in_progress": scan_in_progress(),
    }


def start_rescan(reason: str) -> Job:
    """Queue the series scan (downloading what is missing afterwards when the setting says
    so) and remember the run; `NoSeriesDirectory` / `FolderUnusable` (a 503) when no series
    directory is set or it cannot be read now."""
    usable_root()
    job = queue_series_scan(then_download=Plan.current().auto_download_after_rescan)
    RescanSchedule.get()
    RescanSchedule.objects.filter(pk=1).update(
        last_run=timezone.now(), last_job_id=job.pk, last_message=reason[:500]
    )
    return job


def run_scheduled_rescan(**_: Any) -> str:
    """django-q2's task for the schedule: start a rescan, then arm the next run (also when the
    rescan could not start: no series directory, a database hiccup)."""
    try:
        job = start_rescan("scheduled")
        return f"Scheduled rescan queued as job {job.pk}"
    except (NoSeriesDirectory, FolderUnusable) as exc:
        logger.warning("Scheduled rescan not started: %s", exc.message)
        return f"Scheduled rescan not started: {exc.message}"
    finally:
        plan(after=timezone.now())


def settings_changed(keys: set[str]) -> None:
    """Re-plan when a scheduler setting changed (registered with `nomarr_site.config`)."""
    if keys & set(KEYS.values()):
        plan(after=timezone.now())  # in the change's transaction: both stand or neither


def ensure_planned() -> None:
    """The sweep's check: the row exists and matches the settings (a lost row comes back)."""
    plan()


register_periodic("series_rescan_schedule", CHECK_SECONDS, ensure_planned)
config.register_change_listener(settings_changed)

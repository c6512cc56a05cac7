"""The series-library scheduler: when it runs (table-tested, time zones included), the
django-q2 schedule it arms, `/api/scheduler/*` in the reference's envelope (partial updates,
422s, 503 without a series directory) and a scheduled run queueing the scan."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_q.models import Schedule

from jobs.models import Job
from library.models import RescanSchedule
from library.series import schedule
from library.series.schedule import SCHEDULE_NAME, Plan
from nomarr_site import config

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
ALL_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def plan_of(**changes) -> Plan:
    values = {
        "enabled": True,
        "interval_minutes": 60,
        "schedule_time": "03:00",
        "schedule_days": ALL_DAYS,
        "auto_download_after_rescan": False,
    }
    return Plan(**{**values, **changes})


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def berlin(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    with timezone.override(BERLIN):
        yield


@pytest.mark.parametrize(
    ("changes", "moment", "expected"),
    [
        ({}, "2026-11-30 01:00", "2026-11-30 03:00"),  # before the first run of the day
        ({}, "2026-11-30 03:00", "2026-11-30 04:00"),  # strictly after
        ({}, "2026-11-30 23:30", "2026-12-01 03:00"),  # the day's last run has passed
        ({"interval_minutes": 1440}, "2026-11-30 04:00", "2026-12-01 03:00"),  # once a day
        ({"interval_minutes": 7 * 1440}, "2026-11-30 02:59", "2026-11-30 03:00"),
        ({"interval_minutes": 1}, "2026-11-30 12:34:30", "2026-11-30 12:35"),
        (
            {"interval_minutes": 90, "schedule_time": "22:00"},
            "2026-11-30 22:00",
            "2026-11-30 23:30",
        ),
        # 2026-11-30 is a Monday: the next chosen day is Friday.
        ({"schedule_days": ("fri",)}, "2026-11-30 05:00", "2026-12-04 03:00"),
        ({"schedule_days": ("mon",)}, "2026-11-30 23:59", "2026-12-07 03:00"),
        (
            {"schedule_time": "00:00", "interval_minutes": 720},
            "2026-11-30 12:00",
            "2026-12-01 00:00",
        ),
        # Daylight saving ends on 2026-10-25 in Berlin: 03:00 local is still 03:00 local.
        ({}, "2026-10-25 02:30", "2026-10-25 03:00"),
    ],
)
def test_the_next_run_follows_time_interval_and_days(changes, moment, expected):
    assert plan_of(**changes).next_run_after(at(moment)) == at(expected)


def test_a_disabled_scheduler_has_no_next_run():
    assert plan_of(enabled=False).next_run_after(at("2026-11-30 01:00")) is None


def test_planning_arms_one_django_q_schedule_and_disabling_removes_it():
    config.set_many({"scheduler_time": "04:15", "scheduler_interval_minutes": 1440})
    row = Schedule.objects.get(name=SCHEDULE_NAME)
    assert row.func == schedule.TASK and row.schedule_type == Schedule.ONCE and row.repeats == 1
    assert timezone.localtime(row.next_run).strftime("%H:%M") == "04:15"
    assert row.next_run > timezone.now()
    config.set_value("scheduler_enabled", False)
    assert not Schedule.objects.filter(name=SCHEDULE_NAME).exists()
    config.set_value("scheduler_enabled", True)
    assert Schedule.objects.filter(name=SCHEDULE_NAME).count() == 1


def test_the_sweep_puts_back_a_lost_schedule_and_leaves_a_due_one_to_fire():
    schedule.ensure_planned()
    Schedule.objects.filter(name=SCHEDULE_NAME).delete()
    schedule.ensure_planned()
    row = Schedule.objects.get(name=SCHEDULE_NAME)
    past = timezone.now() - timezone.timedelta(minutes=5)
    Schedule.objects.filter(pk=row.pk).update(next_run=past)
    schedule.ensure_planned()  # missed while no cluster ran: it fires once, not skipped
    assert Schedule.objects.get(pk=row.pk).next_run == past


def test_a_scheduled_run_queues_the_scan_remembers_it_and_arms_the_next(series_dir):
    config.set_value("scheduler_auto_download", True)
    before = timezone.now()
    message = schedule.run_scheduled_rescan()
    job = Job.objects.get(kind="series_scan")
    assert message == f"Scheduled rescan queued as job {job.pk}"
    assert job.payload == {"series_ids": [], "then_download": True}
    state = RescanSchedule.get()
    assert state.last_run >= before and state.last_job_id == job.pk
    assert Schedule.objects.get(name=SCHEDULE_NAME).next_run > timezone.now()


def test_a_scheduled_run_without_a_series_directory_says_so_and_stays_armed():
    message = schedule.run_scheduled_rescan()
    assert message.startswith("Scheduled rescan not started: No series directory")
    assert not Job.objects.filter(kind="series_scan").exists()
    assert Schedule.objects.filter(name=SCHEDULE_NAME, repeats=1).exists()


def test_a_second_request_joins_the_queued_scan_and_keeps_the_download(series_dir):
    from library.series.scan_job import queue_series_scan

    first = queue_series_scan()
    second = queue_series_scan(then_download=True)
    third = queue_series_scan()
    assert first.pk == second.pk == third.pk
    assert Job.objects.get(pk=first.pk).payload["then_download"] is True


# --- the API ---------------------------------------------------------------------------


def test_get_answers_the_reference_envelope(token_holder):
    body = token_holder.get("/api/scheduler/config").json()
    assert body["success"] is True
    assert body["config"] == {
        "enabled": True,
        "interval_minutes": 60,
        "schedule_time": "03:00",
        "schedule_days": list(ALL_DAYS),
        "auto_download_after_rescan": False,
    }
    status = body["status"]
    assert set(status) == {"is_running", "next_run", "last_run", "scan_in_progress"}
    assert status["is_running"] is True and status["last_run"] is None
    assert status["scan_in_progress"] is False
    assert datetime.fromisoformat(status["next_run"]) > timezone.now()


def test_a_partial_post_keeps_the_other_fields_and_replans(token_holder):
    response = token_holder.post(
        "/api/scheduler/config",
        {"schedule_time": "06:30", "schedule_days": ["wed", "mon"], "interval_minutes": 1},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["config"]["schedule_time"] == "06:30"
    assert body["config"]["schedule_days"] == ["mon", "wed"]
    assert body["config"]["interval_minutes"] == 1
    assert body["config"]["enabled"] is True  # untouched
    assert body["config"]["auto_download_after_rescan"] is False
    next_run = timezone.localtime(datetime.fromisoformat(body["status"]["next_run"]))
    assert next_run.strftime("%a") in {"Mon", "Wed"}
    assert Schedule.objects.get(name=SCHEDULE_NAME).next_run == next_run
    # The same settings as /api/config.
    scheduler = token_holder.get("/api/config").json()["scheduler"]
    assert scheduler["schedule_time"] == "06:30" and scheduler["interval_minutes"] == 1


def test_a_change_through_api_config_replans_too(token_holder):
    token_holder.put("/api/config", {"scheduler": {"enabled": False}}, format="json")
    assert token_holder.get("/api/scheduler/config").json()["status"]["next_run"] is None
    assert not Schedule.objects.filter(name=SCHEDULE_NAME).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"schedule_time": "24:00"}, "schedule_time"),
        ({"schedule_time": "7pm"}, "schedule_time"),
        ({"schedule_time": 700}, "schedule_time"),
        ({"schedule_days": ["monday"]}, "schedule_days"),
        ({"schedule_days": []}, "schedule_days"),
        ({"schedule_days": "mon"}, "schedule_days"),
        ({"interval_minutes": 0}, "interval_minutes"),
        ({"interval_minutes": -5}, "interval_minutes"),
        ({"interval_minutes": 10**30}, "interval_minutes"),
        ({"enabled": "maybe"}, "enabled"),
        ({"every": 5}, "every"),
    ],
)
def test_a_bad_value_is_422_naming_the_field_and_saves_nothing(token_holder, body, field):
    if field != "schedule_time":
        body = {**body, "schedule_time": "05:00"}  # a good field beside the bad one
    response = token_holder.post("/api/scheduler/config", body, format="json")
    assert response.status_code == 422
    error = response.json()
    assert error["error"] == "VALIDATION_ERROR"
    assert field in error["details"]["fields"]
    assert config.get("scheduler_time") == "03:00"  # nothing saved, not even the good field


@pytest.mark.parametrize("raw", ["[1, 2]", '"on"', "null"])
def test_a_body_that_is_not_an_object_is_422(token_holder, raw):
    response = token_holder.post("/api/scheduler/config", raw, content_type="application/json")
    assert response.status_code == 422


def test_trigger_rescan_without_a_series_directory_is_503(token_holder):
    response = token_holder.post("/api/scheduler/trigger-rescan")
    assert response.status_code == 503
    assert "series directory" in response.json()["message"]
    assert not Job.objects.filter(kind="series_scan").exists()


def test_trigger_rescan_queues_the_scan_with_the_download_when_configured(token_holder, series_dir):
    token_holder.post("/api/scheduler/config", {"auto_download_after_rescan": True}, format="json")
    response = token_holder.post("/api/scheduler/trigger-rescan")
    assert response.status_code == 200
    assert response.json() == {"message": "Rescan started successfully"}
    job = Job.objects.get(kind="series_scan")
    assert job.payload["then_download"] is True
    status = token_holder.get("/api/scheduler/config").json()["status"]
    assert status["scan_in_progress"] is True and status["last_run"] is not None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/scheduler/config"),
        ("post", "/api/scheduler/config"),
        ("post", "/api/scheduler/trigger-rescan"),
    ],
)
def test_the_scheduler_needs_a_credential(anonymous, method, path):
    assert getattr(anonymous, method)(path).status_code == 401


def test_an_api_key_may_use_the_scheduler(key_holder):
    assert key_holder.get("/api/scheduler/config").status_code == 200

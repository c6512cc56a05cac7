"""The stuck-job sweep, worker heartbeats and the cluster summary used by health checks."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from jobs.models import Job, WorkerHeartbeat
from jobs.services import sweep, workers

pytestmark = pytest.mark.django_db


def running_job(age_seconds: int, attempts: int = 1, max_attempts: int = 3) -> Job:
    beat = timezone.now() - timedelta(seconds=age_seconds)
    return Job.objects.create(
        kind="noop",
        status=Job.Status.RUNNING,
        attempts=attempts,
        max_attempts=max_attempts,
        started_at=beat,
        heartbeat_at=beat,
        worker_id="gone:1",
    )


def test_a_running_job_without_heartbeat_goes_back_to_pending():
    lost = running_job(age_seconds=3600)
    alive = running_job(age_seconds=1)
    assert sweep.requeue_stuck() == {"requeued": 1, "failed": 0}
    lost.refresh_from_db()
    alive.refresh_from_db()
    assert lost.status == Job.Status.PENDING
    assert "stopped responding" in lost.error_message
    assert alive.status == Job.Status.RUNNING


def test_a_lost_job_on_its_last_attempt_becomes_an_error():
    lost = running_job(age_seconds=3600, attempts=3, max_attempts=3)
    assert sweep.requeue_stuck() == {"requeued": 0, "failed": 1}
    lost.refresh_from_db()
    assert lost.status == Job.Status.ERROR
    assert "gave up after 3 attempt(s)" in lost.error_message


def test_admin_reset_stuck_requeues_stuck_jobs(capsys):
    lost = running_job(age_seconds=120)
    call_command("admin_reset", "--stuck", "--older-than", "60")
    lost.refresh_from_db()
    assert lost.status == Job.Status.PENDING
    assert "Requeued 1 stuck job(s)" in capsys.readouterr().out


def test_admin_reset_without_stuck_refuses():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--stuck"):
        call_command("admin_reset")


def test_no_cluster_heartbeat_means_workers_are_stopped():
    summary = workers.cluster_summary()
    assert summary["alive"] is False
    assert summary["status"] == "stopped"


def test_a_fresh_cluster_heartbeat_means_alive_and_an_old_one_does_not():
    workers.beat_cluster("host:1", timezone.now(), child_pids=set())
    summary = workers.cluster_summary()
    assert (summary["alive"], summary["status"], summary["clusters"]) == (True, "healthy", 1)
    WorkerHeartbeat.objects.update(last_seen=timezone.now() - timedelta(minutes=5))
    assert workers.cluster_summary()["alive"] is False


def test_the_cluster_heartbeat_drops_rows_of_dead_workers_and_keeps_live_ones():
    common = {"cluster_id": "host:1", "host": "host", "kind": "idle"}
    WorkerHeartbeat.objects.create(worker_id="host:11", pid=11, number=0, **common)
    WorkerHeartbeat.objects.create(worker_id="host:12", pid=12, number=1, **common)
    workers.beat_cluster("host:1", timezone.now(), child_pids={11})
    assert set(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == {
        "host:1",
        "host:11",
    }
    detail = workers.cluster_summary()["details"][0]
    assert [w["component"] for w in detail["workers"]] == ["worker:idle:0"]


def test_a_worker_process_registers_itself_with_the_lowest_free_number(run_queue):
    from jobs.services.enqueue import enqueue

    enqueue("noop")
    run_queue()
    row = WorkerHeartbeat.objects.get(pid=os.getpid())
    assert (row.number, row.kind, row.current_job_id) == (0, "idle", None)


def test_health_detailed_reports_workers_from_heartbeats(anonymous):
    workers.beat_cluster("host:1", timezone.now(), child_pids=set())
    body = anonymous.get("/health/detailed").json()
    assert body["dependencies"]["workers"]["alive"] is True
    assert anonymous.get("/api/v1/info").json()["worker"] == {"alive": True, "status": "healthy"}


def test_system_health_is_announced_on_change_and_once_a_minute(db, monkeypatch):
    from jobs.services import sweep
    from nomarr_site.events import sender

    sent = []
    states = iter(["healthy", "healthy", "degraded", "degraded"])
    monkeypatch.setattr(sweep, "_last_health", {"status": None, "sent": 0.0})
    monkeypatch.setattr(sweep, "system_health", lambda: {"status": next(states), "errors": []})
    monkeypatch.setattr(sender, "emit", lambda room, kind, data: sent.append((room, kind, data)))
    clock = [1000.0]
    monkeypatch.setattr(sweep.time, "monotonic", lambda: clock[0])

    assert sweep.announce_health() is True  # first: announced
    assert sweep.announce_health() is False  # unchanged, within the minute
    assert sweep.announce_health() is True  # changed to degraded
    clock[0] += sweep.HEALTH_INTERVAL_SECONDS + 1
    assert sweep.announce_health() is True  # unchanged, but a minute passed
    assert [data["status"] for _room, _kind, data in sent] == ["healthy", "degraded", "degraded"]
    assert {(room, kind) for room, kind, _data in sent} == {("system", "system.health")}


def test_a_throttled_queue_count_is_announced_when_the_interval_ends(transactional_db, monkeypatch):
    import time

    from jobs.services import events
    from nomarr_site.events import sender

    sent = []
    monkeypatch.setattr(sender, "emit", lambda room, kind, data: sent.append(kind))
    monkeypatch.setattr(events, "_last_status", 0.0)
    events.emit_queue_status()  # announced at once
    events.emit_queue_status()  # throttled: the burst's last counts must follow
    events.emit_queue_status()  # still one trailing announcement, not two
    assert sent == ["queue.status"]
    deadline = time.monotonic() + 5
    while len(sent) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(events.STATUS_MIN_INTERVAL + 0.2)
    assert sent == ["queue.status", "queue.status"]


def test_jobs_of_workers_stopped_with_their_cluster_go_back_without_spending_an_attempt():
    """A service stop signals every process at once: the job did not fail."""
    last = running_job(age_seconds=1, attempts=3, max_attempts=3)
    cancelled = running_job(age_seconds=1)
    Job.objects.filter(pk=cancelled.pk).update(cancel_requested=True)
    other = running_job(age_seconds=1)
    Job.objects.filter(pk=other.pk).update(worker_id="alive:2")

    assert sweep.requeue_jobs_of({"gone:1"}) == 2

    last.refresh_from_db()
    assert (last.status, last.attempts, last.worker_id) == (Job.Status.PENDING, 2, "")
    cancelled.refresh_from_db()
    assert cancelled.status == Job.Status.CANCELLED
    other.refresh_from_db()
    assert other.status == Job.Status.RUNNING

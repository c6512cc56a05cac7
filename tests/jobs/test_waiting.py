"""Why a pending job waits, in words the queue page shows: paused, no worker, its kind at its
concurrency limit, or next for a free worker; and the queue list carries the reasons."""

from __future__ import annotations

import pytest
from django.utils import timezone

from jobs.models import Job, WorkerHeartbeat
from jobs.services import control
from jobs.services.enqueue import enqueue
from jobs.services.waiting import NEXT, NO_WORKER, PAUSED, waiting_reasons

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_cluster():
    now = timezone.now()
    return WorkerHeartbeat.objects.create(
        worker_id="cluster-1",
        cluster_id="cluster-1",
        host="box",
        pid=1,
        kind=WorkerHeartbeat.CLUSTER,
        started_at=now,
        last_seen=now,
    )


def running(kind: str, count: int) -> None:
    for index in range(count):
        job = enqueue(kind, payload={"seconds": 0, "marker": f"{kind}-{index}"})
        Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now())


def test_without_a_worker_every_kind_says_no_worker_is_running():
    assert waiting_reasons(["sleep", "noop"]) == {"noop": NO_WORKER, "sleep": NO_WORKER}


def test_paused_workers_are_named_before_anything_else(live_cluster):
    control.pause()
    assert waiting_reasons(["sleep"]) == {"sleep": PAUSED}


def test_a_kind_at_its_limit_says_how_many_run_and_which_setting_changes_it(
    live_cluster, monkeypatch
):
    monkeypatch.setenv("NOMARR_CONCURRENCY_SLEEP", "2")
    running("sleep", 2)
    assert waiting_reasons(["sleep", "noop"]) == {
        "noop": NEXT,
        "sleep": "Waiting: 2 sleep jobs already running, the most at once "
        "(NOMARR_CONCURRENCY_SLEEP changes it).",
    }


def test_under_its_limit_a_kind_waits_for_a_free_worker(live_cluster, monkeypatch):
    monkeypatch.setenv("NOMARR_CONCURRENCY_SLEEP", "2")
    running("sleep", 1)
    assert waiting_reasons(["sleep"]) == {"sleep": NEXT}
    assert waiting_reasons([]) == {}


def test_the_queue_list_says_why_its_pending_jobs_wait(token_holder, live_cluster):
    enqueue("sleep", payload={"seconds": 0})
    control.pause()
    page = token_holder.get("/api/web/queue/list").json()
    assert page["waiting"] == {"sleep": PAUSED}
    control.resume()
    assert token_holder.get("/api/web/queue/list?status=done").json()["waiting"] == {}

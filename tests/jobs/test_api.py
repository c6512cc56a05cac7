"""Queue API shapes, status codes and credentials (web: session/token; legacy: API key)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jobs import hooks
from jobs.models import Job, QueueControl
from jobs.services.enqueue import enqueue

pytestmark = pytest.mark.django_db

JOB_KEYS = {"id", "path", "status", "started_at", "finished_at", "error_message", "force"}


def finished(status: str, hours_ago: float = 0, **fields) -> Job:
    moment = timezone.now() - timedelta(hours=hours_ago)
    return Job.objects.create(kind="noop", status=status, finished_at=moment, **fields)


def test_queue_depth_counts_jobs_by_status(token_holder):
    enqueue("noop")
    finished(Job.Status.DONE)
    finished(Job.Status.DONE)
    finished(Job.Status.ERROR)
    body = token_holder.get("/api/web/queue/queue-depth").json()
    assert body == {"pending": 1, "running": 0, "completed": 2, "errors": 1}


def test_the_list_is_paginated_and_carries_the_reference_job_fields(token_holder):
    for n in range(5):
        enqueue("noop", path=f"/music/{n}.mp3")
    body = token_holder.get("/api/web/queue/list?limit=2&offset=1").json()
    assert (body["total"], body["limit"], body["offset"]) == (5, 2, 1)
    assert [job["path"] for job in body["jobs"]] == ["/music/1.mp3", "/music/2.mp3"]
    job = body["jobs"][0]
    assert JOB_KEYS <= set(job)
    assert job["error_message"] is None
    assert job["priority"] == "NORMAL"
    assert set(job["progress"]) == {"fraction", "message", "counters", "speed", "eta"}


def test_the_list_filters_by_status_and_caps_the_limit(token_holder):
    enqueue("noop")
    finished(Job.Status.ERROR, error_message="boom")
    body = token_holder.get("/api/web/queue/list?status=error&limit=100000").json()
    assert body["limit"] == 500
    assert [job["error_message"] for job in body["jobs"]] == ["boom"]


@pytest.mark.parametrize("query", ["status=exploded", "limit=abc", "limit=0", "offset=-1"])
def test_bad_list_parameters_are_a_400_in_the_error_format(token_holder, query):
    response = token_holder.get(f"/api/web/queue/list?{query}")
    assert response.status_code == 400
    assert response.json()["error"] == "VALIDATION_ERROR"


def test_job_status_returns_one_job_and_404_for_unknown_ids(token_holder):
    job = enqueue("sleep", payload={"seconds": 1}, path="/music/a.mp3")
    body = token_holder.get(f"/api/web/queue/status/{job.pk}").json()
    assert body["id"] == job.pk
    assert body["payload"] == {"seconds": 1}
    assert token_holder.get("/api/web/queue/status/999999").status_code == 404
    assert token_holder.get("/api/web/queue/status/abc").status_code == 404


def test_clear_all_keeps_running_jobs(token_holder):
    enqueue("noop")
    finished(Job.Status.DONE)
    running = Job.objects.create(kind="noop", status=Job.Status.RUNNING)
    response = token_holder.post("/api/web/queue/admin/clear-all")
    assert response.json() == {"removed": 2, "status": "success"}
    assert list(Job.objects.values_list("pk", flat=True)) == [running.pk]


def test_clear_completed_and_clear_errors_remove_only_their_status(token_holder):
    finished(Job.Status.DONE)
    finished(Job.Status.ERROR)
    finished(Job.Status.ERROR)
    assert token_holder.post("/api/web/queue/admin/clear-completed").json()["removed"] == 1
    assert token_holder.post("/api/web/queue/admin/clear-errors").json()["removed"] == 2
    assert not Job.objects.exists()


def test_retry_one_many_and_all_errors(token_holder):
    a, b, c = (finished(Job.Status.ERROR, attempts=3) for _ in range(3))
    assert token_holder.post(f"/api/web/queue/retry/{a.pk}").json()["count"] == 1
    a.refresh_from_db()
    assert (a.status, a.attempts, a.error_message) == ("pending", 0, "")
    body = token_holder.post("/api/web/queue/retry", {"job_ids": [b.pk]}, format="json")
    assert body.json() == {"count": 1, "retried": [b.pk], "skipped": [], "status": "success"}
    assert (
        token_holder.post("/api/web/queue/retry", {"all_errors": True}, format="json").json()[
            "count"
        ]
        == 1
    )
    assert Job.objects.filter(status=Job.Status.PENDING).count() == 3
    assert c.pk


def test_retry_all_errors_retries_one_job_per_dedup_key_and_reports_the_rest(token_holder):
    older = finished(Job.Status.ERROR, dedup_key="tag:/music/a.mp3")
    newer = finished(Job.Status.ERROR, dedup_key="tag:/music/a.mp3")
    blocked = finished(Job.Status.ERROR, dedup_key="tag:/music/b.mp3")
    active = enqueue("noop", dedup_key="tag:/music/b.mp3")
    plain = finished(Job.Status.ERROR)
    response = token_holder.post("/api/web/queue/retry", {"all_errors": True}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert sorted(body["retried"]) == sorted([newer.pk, plain.pk])
    already = f"job {active.pk} for the same work is already pending or running"
    assert body["skipped"] == [  # newest first
        {"id": blocked.pk, "reason": already},
        {"id": older.pk, "reason": f"job {newer.pk} for the same work is retried instead"},
    ]
    older.refresh_from_db()
    assert older.status == Job.Status.ERROR
    assert Job.objects.get(pk=newer.pk).status == Job.Status.PENDING


def test_retrying_named_jobs_explains_the_ones_it_cannot_retry(token_holder):
    done = finished(Job.Status.DONE)
    failed = finished(Job.Status.ERROR)
    response = token_holder.post(
        "/api/web/queue/retry", {"job_ids": [failed.pk, done.pk, 424242]}, format="json"
    )
    body = response.json()
    assert body["retried"] == [failed.pk]
    assert body["skipped"] == [
        {"id": done.pk, "reason": "the job is done; only error or cancelled jobs are retried"},
        {"id": 424242, "reason": "no such job"},
    ]


def test_retrying_one_job_whose_work_is_queued_again_is_a_conflict(token_holder):
    failed = finished(Job.Status.ERROR, dedup_key="scan:1")
    enqueue("noop", dedup_key="scan:1")
    response = token_holder.post(f"/api/web/queue/retry/{failed.pk}")
    assert response.status_code == 409
    assert "already pending or running" in response.json()["message"]


def test_a_job_queued_between_choosing_and_resetting_is_skipped_not_a_500(monkeypatch):
    from jobs.services import manage

    first = finished(Job.Status.ERROR, dedup_key="k1")
    second = finished(Job.Status.ERROR, dedup_key="k2")
    choose = manage._choose

    def choose_then_race(jobs, report):
        chosen = choose(jobs, report)
        enqueue("noop", dedup_key="k1")  # another process queues the same work meanwhile
        return chosen

    monkeypatch.setattr(manage, "_choose", choose_then_race)
    report = manage.retry(all_errors=True)
    assert report.retried == [second.pk]
    assert report.skipped == [
        {"id": first.pk, "reason": "a job for the same work was queued meanwhile"}
    ]


def test_retrying_a_pending_job_is_a_conflict_and_an_empty_body_is_a_400(token_holder):
    job = enqueue("noop")
    assert token_holder.post(f"/api/web/queue/retry/{job.pk}").status_code == 409
    assert token_holder.post("/api/web/queue/retry", {}, format="json").status_code == 400
    bad = token_holder.post("/api/web/queue/retry", {"job_ids": ["x"]}, format="json")
    assert bad.status_code == 400
    assert token_holder.post("/api/web/queue/retry/424242").status_code == 404


def test_cancel_a_pending_job_at_once_and_flag_a_running_one(token_holder):
    pending = enqueue("noop")
    running = Job.objects.create(kind="noop", status=Job.Status.RUNNING)
    body = token_holder.post(
        "/api/web/queue/cancel", {"job_ids": [pending.pk, running.pk]}, format="json"
    ).json()
    assert body == {"cancelled": 1, "flagged": 1, "status": "success"}
    pending.refresh_from_db()
    running.refresh_from_db()
    assert pending.status == Job.Status.CANCELLED
    assert (running.status, running.cancel_requested) == (Job.Status.RUNNING, True)
    assert token_holder.post(f"/api/web/queue/cancel/{pending.pk}").status_code == 409


def test_reorder_moves_pending_jobs_first(token_holder):
    first, second = enqueue("noop"), enqueue("noop")
    body = token_holder.post(
        "/api/web/queue/reorder", {"job_ids": [second.pk], "where": "top"}, format="json"
    ).json()
    assert body == {"count": 1, "status": "success"}
    listed = token_holder.get("/api/web/queue/list").json()["jobs"]
    assert [job["id"] for job in listed] == [second.pk, first.pk]
    bad = token_holder.post("/api/web/queue/reorder", {"job_ids": []}, format="json")
    assert bad.status_code == 400
    bad = token_holder.post(
        "/api/web/queue/reorder", {"job_ids": [first.pk], "where": "middle"}, format="json"
    )
    assert bad.status_code == 400


def test_pause_resume_and_restart_answer_status_and_message(token_holder):
    body = token_holder.post("/api/web/worker/pause").json()
    assert body == {"status": "success", "message": "All workers paused"}
    assert QueueControl.get().paused is True
    assert token_holder.get("/api/web/worker/status").json()["paused"] is True
    body = token_holder.post("/api/web/worker/resume").json()
    assert body == {"status": "success", "message": "All workers resumed"}
    assert QueueControl.get().paused is False
    body = token_holder.post("/api/web/worker/restart").json()
    assert body["status"] == "success"
    assert QueueControl.get().restart_requested_at is not None


def test_the_web_queue_api_refuses_anonymous_visitors_and_api_keys(anonymous, key_holder):
    assert anonymous.get("/api/web/queue/queue-depth").status_code == 401
    assert key_holder.get("/api/web/queue/queue-depth").status_code == 403
    assert anonymous.post("/api/web/worker/pause").status_code == 401


def test_a_browser_session_needs_the_csrf_token_to_pause(admin_browser):
    assert admin_browser.post("/api/web/worker/pause").status_code == 403
    assert admin_browser.get("/api/web/queue/list").status_code == 200


def test_legacy_list_and_status_take_an_api_key(key_holder, token_holder):
    job = enqueue("noop", path="/music/a.mp3")
    body = key_holder.get("/api/v1/list?limit=10").json()
    assert (body["total"], body["jobs"][0]["path"]) == (1, "/music/a.mp3")
    assert key_holder.get(f"/api/v1/status/{job.pk}").json()["status"] == "pending"
    assert key_holder.get("/api/v1/status/999999").status_code == 404
    assert key_holder.get("/api/v1/list?status=nope").status_code == 400
    assert token_holder.get("/api/v1/list").status_code == 403


def test_legacy_admin_worker_pause_and_resume(key_holder, anonymous):
    assert key_holder.post("/admin/worker/pause").json()["message"] == "All workers paused"
    assert QueueControl.get().paused is True
    assert key_holder.post("/admin/worker/resume").json()["status"] == "success"
    assert QueueControl.get().paused is False
    assert anonymous.post("/admin/worker/pause").status_code == 401


def test_legacy_cleanup_removes_finished_jobs_older_than_the_given_hours(key_holder):
    old_done = finished(Job.Status.DONE, hours_ago=200)
    finished(Job.Status.ERROR, hours_ago=10)
    enqueue("noop")
    body = key_holder.post("/admin/cleanup", {}, format="json").json()
    assert body == {"removed": 1, "hours": 168, "status": "success"}
    assert not Job.objects.filter(pk=old_done.pk).exists()
    assert key_holder.post("/admin/cleanup", {"hours": 5}, format="json").json()["removed"] == 1
    assert Job.objects.count() == 1
    assert key_holder.post("/admin/cleanup", {"hours": -1}, format="json").status_code == 400
    assert key_holder.post("/admin/cleanup", {"hours": "x"}, format="json").status_code == 400


def test_legacy_queue_summary_has_counts_timing_and_worker_state(key_holder):
    enqueue("noop")
    body = key_holder.get("/admin/queue/summary").json()
    assert body["pending"] == 1
    assert body["total"] == 1
    assert {"avg_time", "eta", "paused", "worker"} <= set(body)


def test_cache_refresh_says_no_cache_exists_until_one_registers(key_holder, monkeypatch):
    monkeypatch.setattr(hooks, "_cache_refreshers", {})  # as before any app registers one
    body = key_holder.post("/admin/cache/refresh").json()
    assert body["status"] == "success"
    assert "No model cache exists yet" in body["message"]
    hooks.register_cache_refresh("models", lambda: "reloaded 3 models")
    body = key_holder.post("/admin/cache/refresh").json()
    assert body["refreshed"] == [
        {"name": "models", "status": "success", "message": "reloaded 3 models"}
    ]
    hooks.register_cache_refresh("broken", lambda: 1 / 0)
    body = key_holder.post("/admin/cache/refresh").json()
    assert body["status"] == "error"
    assert "broken" in body["message"]


def test_the_queue_page_renders_for_the_admin_and_redirects_visitors(admin_browser, client):
    enqueue("noop")
    page = admin_browser.get("/web/queue")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-count="pending">1<' in html
    assert "js/queue.js" in html
    assert client.get("/web/queue").status_code == 302


HUGE = "99999999999999999999999"


@pytest.mark.parametrize("name", ["offset", "limit", "track_id"])
def test_an_out_of_range_list_parameter_is_a_400_naming_it(token_holder, name):
    response = token_holder.get(f"/api/web/queue/list?{name}={HUGE}")
    assert response.status_code == 400
    body = response.json()
    assert body["details"]["field"] == name
    assert body["message"].startswith(f"{name} must be at most")


@pytest.mark.parametrize(
    "url", ["/api/web/queue/retry", "/api/web/queue/cancel", "/api/web/queue/reorder"]
)
@pytest.mark.parametrize("job_id", [10**30, 1e30, -(10**30)])
def test_job_ids_out_of_range_are_a_400_naming_job_ids(token_holder, url, job_id):
    response = token_holder.post(url, {"job_ids": [1, job_id]}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "VALIDATION_ERROR"
    assert "job_ids" in body["details"]["fields"]


@pytest.mark.parametrize("kind", ["a\x00b", "k" * 101])
def test_a_kind_filter_no_job_kind_can_have_is_a_400(token_holder, kind):
    response = token_holder.get("/api/web/queue/list", {"kind": kind})
    assert response.status_code == 400
    assert response.json()["details"] == {"field": "kind"}

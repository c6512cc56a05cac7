"""`/api/queue/*` through the API clients: every endpoint's shape and status code against the
Aniworld reference, and the bad inputs (unknown series, bad UUIDs, wrong types, huge lists,
a reorder that misses an item)."""

from __future__ import annotations

import uuid

import pytest

from jobs.models import Job
from jobs.services import control
from library.models import DownloadItem

pytestmark = pytest.mark.django_db

ITEM_FIELDS = {
    "id", "serie_id", "serie_folder", "serie_name", "episode", "status", "priority",
    "added_at", "started_at", "completed_at", "progress", "error", "retry_count", "source_url",
}  # fmt: skip
STATISTICS = {
    "total_items", "pending_count", "active_count", "completed_count", "failed_count",
    "total_downloaded_mb", "average_speed_mbps", "estimated_time_remaining",
}  # fmt: skip


def add(client, episodes, **extra):
    body = {"serie_id": "frieren", "serie_folder": "Frieren (2023)", "serie_name": "Frieren"}
    return client.post("/api/queue/add", {**body, "episodes": episodes, **extra}, format="json")


def queued(client, *numbers, **extra) -> list[str]:
    response = add(client, [{"season": 1, "episode": n} for n in numbers], **extra)
    assert response.status_code == 201, response.json()
    return response.json()["item_ids"]


def job_of(item_id: str) -> Job:
    job = DownloadItem.objects.get(pk=item_id).job
    assert job is not None
    return job


def finish(item_id: str, status: str, message: str = "") -> None:
    Job.objects.filter(pk=job_of(item_id).pk).update(status=status, error_message=message)


def test_an_empty_queue_has_the_reference_status_shape(token_holder, show):
    body = token_holder.get("/api/queue/status").json()
    assert body["status"] == {
        "is_running": True,
        "is_paused": False,
        "active_downloads": [],
        "pending_queue": [],
        "completed_downloads": [],
        "failed_downloads": [],
    }
    assert set(body["statistics"]) == STATISTICS
    assert body["statistics"]["total_items"] == 0
    assert body["statistics"]["estimated_time_remaining"] == 0


def test_adding_episodes_answers_201_with_uuid_ids_and_queues_download_jobs(
    token_holder, show, download_events
):
    response = add(
        token_holder,
        [{"season": 1, "episode": 2, "title": "Not a Hero"}, {"season": 1, "episode": 3}],
        priority="high",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "success"
    assert body["message"] == "Added 2 episode(s) to download queue"
    assert body["added_items"] == body["item_ids"] and len(body["item_ids"]) == 2
    assert body["failed_items"] == []
    for item_id in body["item_ids"]:
        assert str(uuid.UUID(item_id)) == item_id
        job = job_of(item_id)
        assert (job.kind, job.status, job.payload) == ("download", "pending", {"item_id": item_id})
        assert job.dedup_key == f"download:{item_id}"
        assert job.subject_type == "library.series" and job.subject_id == show.pk
        assert job.priority == Job.Priority.HIGH
    pending = token_holder.get("/api/queue/status").json()["status"]["pending_queue"]
    assert [item["id"] for item in pending] == body["item_ids"]
    first = pending[0]
    assert set(first) == ITEM_FIELDS
    assert first["serie_id"] == "frieren" and first["serie_folder"] == "Frieren (2023)"
    assert first["episode"] == {"season": 1, "episode": 2, "title": "Not a Hero"}
    assert (first["status"], first["priority"], first["retry_count"]) == ("pending", "HIGH", 0)
    assert first["source_url"] == "http://127.0.0.1:9/frieren/s01e02.mkv"
    assert pending[1]["episode"]["title"] == "Killing Magic"  # the known title
    assert first["progress"] is None and first["error"] is None
    added = [data for kind, data in download_events if kind == "download.added"]
    assert [data["download_id"] for data in added] == body["item_ids"]
    assert added[0]["item"]["id"] == body["item_ids"][0]


def test_present_queued_twice_listed_and_sourceless_episodes_are_failed_items(token_holder, show):
    queued(token_holder, 2)
    episodes = [
        {"season": 1, "episode": 1},
        {"season": 1, "episode": 2},
        {"season": 1, "episode": 3},
        {"season": 1, "episode": 3},
        {"season": 2, "episode": 1, "source_url": "ftp://example.org/x.mkv"},
    ]
    body = add(token_holder, episodes).json()
    assert body["status"] == "partial"
    assert len(body["item_ids"]) == 1
    reasons = {(f["season"], f["episode"]): f["reason"] for f in body["failed_items"]}
    assert set(reasons) == {(1, 1), (1, 2), (1, 3), (2, 1)}
    assert "present" in reasons[(1, 1)]
    assert "already in the download queue" in reasons[(1, 2)].lower()
    assert "twice" in reasons[(1, 3)]
    assert "http" in reasons[(2, 1)]
    show.download_source = ""
    show.save()
    body = add(token_holder, [{"season": 3, "episode": 1}]).json()
    assert body["status"] == "failed" and body["item_ids"] == []
    assert "no download source" in body["failed_items"][0]["reason"]


def test_an_episode_may_bring_its_own_source_url(token_holder, show):
    show.download_source = ""
    show.save()
    url = "https://media.example/frieren/special.mp4"
    body = add(token_holder, [{"season": 0, "episode": 1, "source_url": url}]).json()
    [item_id] = body["item_ids"]
    assert DownloadItem.objects.get(pk=item_id).source_url == url


def test_answers_and_events_hide_the_password_of_a_source_url_but_keep_its_query(
    token_holder, show, download_events
):
    url = "https://ann:pw1SECRET@media.example/frieren/special.mp4?sig=abc&e=1"
    episodes = [{"season": 0, "episode": 1, "source_url": url}]
    [item_id] = add(token_holder, episodes).json()["item_ids"]
    shown = "https://ann:***@media.example/frieren/special.mp4?sig=abc&e=1"
    [pending] = token_holder.get("/api/queue/status").json()["status"]["pending_queue"]
    assert pending["source_url"] == shown
    [added] = [data for kind, data in download_events if kind == "download.added"]
    assert added["item"]["source_url"] == shown
    assert "pw1SECRET" not in str(download_events)
    assert DownloadItem.objects.get(pk=item_id).source_url == url  # the download needs it


def test_an_unknown_series_fails_every_episode_with_201(token_holder, show):
    response = token_holder.post(
        "/api/queue/add",
        {"serie_id": "nope", "episodes": [{"season": 1, "episode": 1}]},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["item_ids"] == [] and body["added_items"] == []
    assert body["failed_items"] == [
        {"season": 1, "episode": 1, "reason": "Series 'nope' is not in the library"}
    ]


def test_the_series_folder_is_the_deprecated_fallback_of_the_key(token_holder, show):
    response = token_holder.post(
        "/api/queue/add",
        {
            "serie_id": "old-key",
            "serie_folder": "Frieren (2023)",
            "episodes": [{"season": 1, "episode": 2}],
        },
        format="json",
    )
    assert len(response.json()["item_ids"]) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"episodes": [{"season": 1, "episode": 1}]}, "serie_id"),
        ({"serie_id": "frieren"}, "episodes"),
        ({"serie_id": "frieren", "episodes": []}, "episodes"),
        ({"serie_id": "frieren", "episodes": "1-1"}, "episodes"),
        ({"serie_id": "frieren", "episodes": [{"season": "one", "episode": 1}]}, "episodes"),
        ({"serie_id": "frieren", "episodes": [{"season": -1, "episode": 1}]}, "episodes"),
        ({"serie_id": "frieren", "episodes": [{"season": 1, "episode": 1}] * 501}, "episodes"),
        (
            {
                "serie_id": "frieren",
                "episodes": [{"season": 1, "episode": 1}],
                "priority": "URGENT",
            },
            "priority",
        ),
        ({"serie_id": "x" * 201, "episodes": [{"season": 1, "episode": 1}]}, "serie_id"),
    ],
)
def test_a_bad_add_body_is_a_422_validation_error(token_holder, show, body, field):
    response = token_holder.post("/api/queue/add", body, format="json")
    assert response.status_code == 422
    error = response.json()
    assert error["success"] is False and error["error"] == "VALIDATION_ERROR"
    assert field in error["details"]["fields"]
    assert not DownloadItem.objects.exists()


def test_stop_and_pause_hold_the_download_kind_until_start(token_holder, show, download_events):
    stopped = token_holder.post("/api/queue/stop")
    assert stopped.status_code == 200
    assert stopped.json() == {
        "status": "success",
        "message": "Queue processing stopped (current download will continue)",
    }
    assert control.is_held("download")
    [item_id] = queued(token_holder, 2)
    status = token_holder.get("/api/queue/status").json()["status"]
    assert (status["is_running"], status["is_paused"]) == (False, True)
    assert status["pending_queue"][0]["status"] == "paused"
    started = token_holder.post("/api/queue/start").json()
    assert started == {"status": "success", "message": "Queue processing started"}
    assert not control.is_held("download")
    paused = token_holder.post("/api/queue/pause").json()
    assert paused == {"status": "success", "message": "Queue processing paused"}
    assert control.is_held("download")
    kinds = [kind for kind, _data in download_events]
    assert kinds.count("download.queue_stopped") == 2 and "download.queue_started" in kinds


def test_the_workers_pause_shows_as_paused_but_not_stopped(token_holder, show):
    queued(token_holder, 2)
    control.pause()
    status = token_holder.get("/api/queue/status").json()["status"]
    assert (status["is_running"], status["is_paused"]) == (True, True)
    assert status["pending_queue"][0]["status"] == "paused"
    assert not control.is_held("download")


def test_deleting_one_item_answers_204_and_unknown_ids_404(token_holder, show, download_events):
    first, second = queued(token_holder, 2, 3)
    job_id = job_of(first).pk
    response = token_holder.delete(f"/api/queue/{first}")
    assert response.status_code == 204 and response.content == b""
    assert not DownloadItem.objects.filter(pk=first).exists()
    assert not Job.objects.filter(pk=job_id).exists()
    assert ("download.removed", {"download_ids": [first]}) in download_events
    missing = token_holder.delete(f"/api/queue/{uuid.uuid4()}")
    assert missing.status_code == 404 and missing.json()["error"] == "NOT_FOUND_ERROR"
    assert token_holder.delete("/api/queue/not-a-uuid").status_code == 404
    assert DownloadItem.objects.filter(pk=second).exists()


def test_an_item_id_in_upper_case_names_the_same_item(token_holder, show):
    first, second = queued(token_holder, 2, 3)
    assert token_holder.delete(f"/api/queue/{first.upper()}").status_code == 204
    assert not DownloadItem.objects.filter(pk=first).exists()
    mixed = second[:8].upper() + second[8:]
    assert token_holder.delete(f"/api/queue/{mixed}").status_code == 204
    assert not DownloadItem.objects.exists()


@pytest.mark.parametrize(
    "bad",
    ["not-a-uuid", "0" * 32, "{" + "0" * 8 + "-0000-0000-0000-" + "0" * 12 + "}",
     "g" * 8 + "-0000-0000-0000-" + "0" * 12, "0" * 8 + "-0000-0000-0000-" + "0" * 13],
)  # fmt: skip
def test_a_malformed_item_id_finds_no_route(token_holder, show, bad):
    response = token_holder.delete(f"/api/queue/{bad}")
    assert response.status_code == 404 and response.json()["error"] == "NOT_FOUND_ERROR"


def test_deleting_a_running_item_cancels_its_job(token_holder, show):
    [item_id] = queued(token_holder, 2)
    job = job_of(item_id)
    assert job.claim("worker:1")
    assert token_holder.delete(f"/api/queue/{item_id}").status_code == 204
    job.refresh_from_db()
    assert job.status == "running" and job.cancel_requested
    assert job.error_message == "Removed from the download queue"
    assert not DownloadItem.objects.filter(pk=item_id).exists()


def test_deleting_many_items_answers_204_and_refuses_unknown_ids_whole(token_holder, show):
    first, second = queued(token_holder, 2, 3)
    unknown = str(uuid.uuid4())
    refused = token_holder.delete("/api/queue", {"item_ids": [first, unknown]}, format="json")
    assert refused.status_code == 404 and unknown in refused.json()["message"]
    assert DownloadItem.objects.count() == 2
    done = token_holder.delete("/api/queue", {"item_ids": [first, second]}, format="json")
    assert done.status_code == 204
    assert not DownloadItem.objects.exists()


@pytest.mark.parametrize(
    "body",
    [{}, {"item_ids": []}, {"item_ids": "abc"}, {"item_ids": ["abc"]}, {"item_ids": [1]},
     {"item_ids": [str(uuid.uuid4())] * 1001}],
)  # fmt: skip
def test_a_bad_delete_body_is_a_422(token_holder, show, body):
    response = token_holder.delete("/api/queue", body, format="json")
    assert response.status_code == 422
    assert response.json()["error"] == "VALIDATION_ERROR"


def test_clearing_completed_failed_and_pending_counts_what_went(token_holder, show):
    done, failed, waiting = queued(token_holder, 2, 3, 4)
    finish(done, "done")
    finish(failed, "error", "404 from the source")
    body = token_holder.delete("/api/queue/completed").json()
    assert body == {"status": "success", "message": "Cleared 1 completed item(s)", "count": 1}
    body = token_holder.delete("/api/queue/failed").json()
    assert body == {"status": "success", "message": "Cleared 1 failed item(s)", "count": 1}
    body = token_holder.delete("/api/queue/pending").json()
    assert body == {"status": "success", "message": "Removed 1 pending item(s)", "count": 1}
    assert not DownloadItem.objects.exists()
    assert not Job.objects.filter(kind="download").exists()


def test_status_lists_each_group_and_counts_them(token_holder, show):
    done, failed, running, waiting = queued(token_holder, 2, 3, 4, 5)
    finish(done, "done")
    finish(failed, "error", "The source answered 404")
    assert job_of(running).claim("worker:1")
    DownloadItem.objects.filter(pk=done).update(downloaded_bytes=3 * 1024 * 1024)
    DownloadItem.objects.filter(pk=running).update(
        downloaded_bytes=1024 * 1024, total_bytes=4 * 1024 * 1024, speed_mbps=1.5, eta_seconds=2
    )
    body = token_holder.get("/api/queue/status").json()
    status, stats = body["status"], body["statistics"]
    assert [i["id"] for i in status["active_downloads"]] == [running]
    assert [i["id"] for i in status["pending_queue"]] == [waiting]
    assert [i["id"] for i in status["completed_downloads"]] == [done]
    assert [i["id"] for i in status["failed_downloads"]] == [failed]
    assert status["failed_downloads"][0]["error"] == "The source answered 404"
    assert status["failed_downloads"][0]["status"] == "failed"
    active = status["active_downloads"][0]
    assert active["status"] == "downloading" and active["started_at"]
    assert active["progress"] == {
        "percent": 25.0, "downloaded_mb": 1.0, "total_mb": 4.0, "speed_mbps": 1.5, "eta_seconds": 2
    }  # fmt: skip
    assert stats["total_items"] == 4
    assert (stats["pending_count"], stats["active_count"]) == (1, 1)
    assert (stats["completed_count"], stats["failed_count"]) == (1, 1)
    assert stats["total_downloaded_mb"] == 4.0
    assert stats["average_speed_mbps"] == 1.5
    # 3 MiB left of the running one + one waiting sized like the completed (3 MiB), at 1.5 MiB/s
    assert stats["estimated_time_remaining"] == 4


def test_reorder_takes_the_full_new_order_of_the_pending_items(token_holder, show):
    first, second, third = queued(token_holder, 2, 3, 4)
    Job.objects.filter(pk=job_of(first).pk).update(priority=Job.Priority.HIGH)
    response = token_holder.post(
        "/api/queue/reorder", {"item_ids": [third, second, first]}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {"status": "success", "message": "Queue reordered with 3 items"}
    pending = token_holder.get("/api/queue/status").json()["status"]["pending_queue"]
    assert [item["id"] for item in pending] == [third, second, first]
    from jobs.services.claim import claim_next

    assert claim_next("worker:1").pk == job_of(third).pk


@pytest.mark.parametrize("case", ["missing", "unknown", "duplicate", "not_pending"])
def test_reorder_refuses_an_order_that_is_not_every_pending_item_once(token_holder, show, case):
    first, second, third = queued(token_holder, 2, 3, 4)
    order = {
        "missing": [second, first],
        "unknown": [third, second, first, str(uuid.uuid4())],
        "duplicate": [third, second, first, first],
        "not_pending": [third, second, first],
    }[case]
    if case == "not_pending":
        finish(third, "done")
        order = [second, first, third]
    response = token_holder.post("/api/queue/reorder", {"item_ids": order}, format="json")
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "VALIDATION_ERROR"
    named = {"missing": third, "unknown": order[-1], "duplicate": first, "not_pending": third}
    assert named[case] in body["message"]


def test_reorder_with_a_bad_body_is_a_422(token_holder, show):
    for body in ({}, {"item_ids": "x"}, {"item_ids": ["x"]}):
        assert token_holder.post("/api/queue/reorder", body, format="json").status_code == 422


def test_retry_queues_failed_items_again_and_counts_the_retries(
    token_holder, show, download_events
):
    one, two, fine = queued(token_holder, 2, 3, 4)
    finish(one, "error", "timeout")
    finish(two, "error", "timeout")
    body = token_holder.post("/api/queue/retry", {"item_ids": [one, fine]}, format="json").json()
    assert body == {
        "status": "success",
        "message": "Retrying 1 failed item(s)",
        "retried_count": 1,
        "retried_ids": [one],
    }
    assert job_of(one).status == "pending"
    assert DownloadItem.objects.get(pk=one).retry_count == 1
    everything = token_holder.post("/api/queue/retry", {"item_ids": []}, format="json").json()
    assert everything["retried_ids"] == [two] and everything["retried_count"] == 1
    assert token_holder.post("/api/queue/retry", {}, format="json").json()["retried_count"] == 0
    bad = token_holder.post("/api/queue/retry", {"item_ids": "all"}, format="json")
    assert bad.status_code == 422


def test_every_queue_route_needs_a_credential_and_takes_an_api_key(anonymous, key_holder, show):
    assert anonymous.get("/api/queue/status").status_code == 401
    assert anonymous.post("/api/queue/start").status_code == 401
    assert anonymous.delete("/api/queue/completed").status_code == 401
    assert key_holder.get("/api/queue/status").status_code == 200


def test_the_literal_clear_routes_win_over_the_item_route(token_holder, show):
    for which in ("completed", "failed", "pending"):
        assert token_holder.delete(f"/api/queue/{which}").status_code == 200
    assert token_holder.get(f"/api/queue/{uuid.uuid4()}").status_code == 405


@pytest.mark.django_db
def test_a_bad_nested_field_is_named_by_its_path_in_the_message(token_holder):
    body = {
        "serie_id": "x",
        "episodes": [{"season": 1, "episode": 1}, {"season": -1, "episode": 2}],
    }
    response = token_holder.post("/api/queue/add", body, format="json")
    assert response.status_code == 422
    message = response.json()["message"]
    assert message.startswith("Invalid input: episodes.1.season: Ensure this value is greater")

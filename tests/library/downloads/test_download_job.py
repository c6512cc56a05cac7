"""The `download` job kind against the loopback download source: a completed download lands
as `Show - S01E02 - Title.ext` and marks the episode present; a failure ends the item failed
with a `download.failed` event; a retryable one goes back to the queue; a running item removed
through `DELETE /api/queue/{id}` stops and leaves no partial file."""

from __future__ import annotations

import threading
import time

import pytest

from jobs.models import Job
from jobs.runner import execute
from jobs.services import claim
from library.downloads import items
from library.models import DownloadItem, Episode

MIB = 1024 * 1024


def data(size: int) -> bytes:
    return bytes(range(256)) * (size // 256)


def queue_one(show, url: str, number: int = 2, title: str = "") -> DownloadItem:
    episode = {"season": 1, "episode": number, "source_url": url}
    if title:
        episode["title"] = title
    result = items.add(show, [episode])
    assert result.failed == [], result.failed
    return DownloadItem.objects.select_related("job").get(pk=result.added[0])


def run_next() -> Job:
    job = claim.claim_next("test:1")
    assert job is not None
    return execute(job)


@pytest.mark.django_db
def test_a_completed_download_is_renamed_into_place_and_marks_the_episode_present(
    show, series_root, download_server, download_events, token_holder
):
    body = data(2 * MIB)
    download_server.add("/frieren/ep2.mkv", body)
    item = queue_one(show, download_server.url("/frieren/ep2.mkv"))
    job = run_next()
    assert job.status == Job.Status.DONE, job.error_message
    final = series_root / "Frieren (2023)" / "Frieren - S01E02 - Not a Hero.mkv"
    assert final.read_bytes() == body
    assert not list((series_root / "Frieren (2023)").glob(".nomarr-*"))
    episode = Episode.objects.get(series=show, season=1, number=2)
    assert episode.is_present and episode.path == str(final)
    assert job.result == {"item_id": str(item.pk), "file": final.name, "bytes": len(body)}
    status = token_holder.get("/api/queue/status").json()
    [done] = status["status"]["completed_downloads"]
    assert done["id"] == str(item.pk) and done["status"] == "completed"
    assert done["completed_at"] and done["progress"]["percent"] == 100.0
    assert status["statistics"]["total_downloaded_mb"] == 2.0
    kinds = [kind for kind, _ in download_events]
    assert "download.progress" in kinds
    complete = [d for kind, d in download_events if kind == "download.complete"]
    assert complete == [
        {
            "download_id": str(item.pk),
            "key": "frieren",
            "folder": "Frieren (2023)",
            "season": 1,
            "episode": 2,
            "file": final.name,
        }
    ]
    progress = [d for kind, d in download_events if kind == "download.progress"][-1]
    assert set(progress) == {
        "download_id", "key", "folder", "percent", "speed_mbps", "eta_seconds",
        "downloaded_mb", "total_mb",
    }  # fmt: skip
    assert progress["total_mb"] == 2.0
    # A present episode cannot be queued again.
    again = items.add(show, [{"season": 1, "episode": 2}])
    assert again.added == [] and "present" in again.failed[0]["reason"]


@pytest.mark.django_db
def test_a_missing_file_fails_the_item_with_the_sources_words(
    show, download_server, download_events, token_holder
):
    item = queue_one(show, download_server.url("/frieren/missing.mkv"))
    job = run_next()
    assert job.status == Job.Status.ERROR
    failed = token_holder.get("/api/queue/status").json()["status"]["failed_downloads"]
    assert [entry["id"] for entry in failed] == [str(item.pk)]
    assert failed[0]["status"] == "failed" and "404" in failed[0]["error"]
    [event] = [d for kind, d in download_events if kind == "download.failed"]
    assert event["download_id"] == str(item.pk) and "404" in event["error"]
    assert not Episode.objects.get(series=show, season=1, number=2).is_present


@pytest.mark.django_db
def test_a_retryable_failure_goes_back_to_the_queue_then_fails_after_the_last_attempt(
    show, download_server, download_events
):
    blob = download_server.add("/frieren/busy.mkv", data(1024))
    blob.statuses += [503] * 10
    item = queue_one(show, download_server.url("/frieren/busy.mkv"))
    job = run_next()
    assert job.status == Job.Status.PENDING and job.run_after is not None
    assert not [kind for kind, _ in download_events if kind == "download.failed"]
    for _ in range(job.max_attempts - 1):
        Job.objects.filter(pk=job.pk).update(run_after=None)
        job = run_next()
    assert job.status == Job.Status.ERROR
    assert "Nomarr hit an unexpected problem" not in job.error_message
    assert [d["download_id"] for k, d in download_events if k == "download.failed"] == [
        str(item.pk)
    ]


@pytest.mark.django_db
def test_a_file_name_without_a_video_extension_becomes_mkv(show, series_root, download_server):
    download_server.add("/stream", data(4096))
    queue_one(show, download_server.url("/stream?id=7"), title="Custom")
    assert run_next().status == Job.Status.DONE
    assert (series_root / "Frieren (2023)" / "Frieren - S01E02 - Custom.mkv").is_file()


@pytest.mark.django_db
def test_the_series_folder_gone_from_the_directory_is_created(show, series_root, download_server):
    (series_root / "Frieren (2023)").rmdir()
    download_server.add("/e.mp4", data(4096))
    queue_one(show, download_server.url("/e.mp4"))
    assert run_next().status == Job.Status.DONE
    assert (series_root / "Frieren (2023)" / "Frieren - S01E02 - Not a Hero.mp4").is_file()


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(60)
def test_deleting_a_running_item_stops_its_download_and_removes_the_part_file(
    show, series_root, download_server, token_holder
):
    blob = download_server.add("/frieren/slow.mkv", data(4 * MIB))
    blob.stalls.append((MIB, 5.0))
    item = queue_one(show, download_server.url("/frieren/slow.mkv"))
    folder = series_root / "Frieren (2023)"
    outcome: dict[str, Job] = {}
    worker = threading.Thread(target=lambda: outcome.setdefault("job", run_next()))
    worker.start()
    deadline = time.monotonic() + 20
    while not list(folder.glob(".nomarr-*.part")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(folder.glob(".nomarr-*.part")), "the download never started"
    assert token_holder.delete(f"/api/queue/{item.pk}").status_code == 204
    worker.join(30)
    job = outcome["job"]
    assert job.status == Job.Status.CANCELLED
    assert job.error_message == "Removed from the download queue"
    assert not list(folder.iterdir())
    assert not DownloadItem.objects.filter(pk=item.pk).exists()
    assert not Episode.objects.get(series=show, season=1, number=2).is_present


@pytest.mark.django_db
def test_removing_a_failed_item_removes_the_partial_file_its_attempts_left(
    show, series_root, download_server, token_holder
):
    blob = download_server.add("/frieren/cut.mkv", data(MIB))
    blob.cuts.extend([200_000] * 5)
    item = queue_one(show, download_server.url("/frieren/cut.mkv"))
    job = run_next()
    folder = series_root / "Frieren (2023)"
    Job.objects.filter(pk=job.pk).update(status=Job.Status.ERROR)
    assert list(folder.glob(".nomarr-*")), "the cut download left no partial file"
    assert token_holder.delete(f"/api/queue/{item.pk}").status_code == 204
    assert list(folder.iterdir()) == []

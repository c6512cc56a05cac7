"""Tag jobs name the track they work on as their subject: known at queue time, or linked once
the worker has scanned a file the library had not seen; the queue list filters by subject."""

from __future__ import annotations

import pytest

from jobs.models import Job
from jobs.subjects import Subject, resolve
from library.models import Track
from library.scanning.scanner import scan_library

pytestmark = pytest.mark.django_db


def queue(key_holder, path) -> Job:
    response = key_holder.post("/api/v1/tag", {"path": str(path)}, format="json")
    assert response.status_code == 200, response.json()
    return Job.objects.get(pk=response.json()["job_id"])


def test_a_scanned_file_is_linked_when_it_is_queued(key_holder, music):
    scan_library(music["library"])
    path = music["files"]["flac"]
    job = queue(key_holder, path)
    assert job.subject == Subject.of(Track.objects.get(path=str(path)))


def test_a_file_the_library_had_not_seen_is_linked_once_the_worker_scans_it(
    key_holder, music, run_jobs
):
    job = queue(key_holder, music["files"]["mp3"])
    assert job.subject == Subject.of(music["library"])
    run_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error_message
    assert job.subject == Subject.of(Track.objects.get(path=str(music["files"]["mp3"])))


def test_tag_jobs_queued_by_a_folder_scan_are_linked(token_holder, music, run_jobs):
    token_holder.post(
        "/api/web/processing/process-files", {"paths": [str(music["album"])]}, format="json"
    )
    run_jobs()
    tags = Job.objects.filter(kind="tag")
    assert tags.count() == len(music["files"])
    tracks = Track.objects.filter(pk__in=[job.subject_id for job in tags])
    assert {job.subject_type for job in tags} == {"library.track"}
    assert set(tracks.values_list("path", flat=True)) == {str(p) for p in music["files"].values()}


def test_the_queue_list_filters_by_track_and_shows_the_link(token_holder, key_holder, music):
    scan_library(music["library"])
    flac, ogg = music["files"]["flac"], music["files"]["ogg"]
    queue(key_holder, flac)
    queue(key_holder, ogg)
    track = Track.objects.get(path=str(flac))
    body = token_holder.get("/api/web/queue/list", {"track_id": track.pk}).json()
    assert body["total"] == 1
    assert body["jobs"][0]["track_id"] == track.pk
    assert body["jobs"][0]["path"] == str(flac)


@pytest.mark.parametrize("value", ["abc", "0", "-3"])
def test_a_bad_track_filter_is_a_400(token_holder, music, value):
    response = token_holder.get("/api/web/queue/list", {"track_id": value})
    assert response.status_code == 400
    assert response.json()["error"] == "VALIDATION_ERROR"
    assert "track_id" in response.json()["message"]


def test_removing_a_track_keeps_its_jobs_history(key_holder, music):
    scan_library(music["library"])
    path = music["files"]["m4a"]
    job = queue(key_holder, path)
    Track.objects.filter(path=str(path)).delete()
    job.refresh_from_db()
    # The subject still names the (gone) track; the job and its path stay as history.
    assert job.subject is not None and resolve(job.subject) is None and job.path == str(path)

"""One payload and one dedup key per kind: the same work asked for two ways is queued once
(a folder by the Processing page, by Lidarr and by a library scan; a file by path and by
track), and a second request that asks for more is folded into the pending job."""

from __future__ import annotations

import pytest

from jobs.models import Job
from library.scanning.scan_job import queue_scan
from library.scanning.scanner import scan_library
from library.tagging.requests import queue_folder
from library.tagging.tag_job import queue_tag

pytestmark = pytest.mark.django_db


def scans() -> list[Job]:
    return list(Job.objects.filter(kind="scan"))


def library_scan(client, music, folder):
    url = f"/api/web/libraries/{music['library'].pk}/scan"
    response = client.post(url, {"paths": [str(folder)]}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def test_a_folder_picked_on_the_processing_page_then_scanned_from_the_library_is_queued_once(
    token_holder, music
):
    picked = token_holder.post(
        "/api/web/processing/process-files", {"paths": [str(music["album"])]}, format="json"
    ).json()
    scanned = library_scan(token_holder, music, music["album"])
    assert scanned["job_id"] == picked["job_ids"][0] and scanned["queued"] == 0
    [job] = scans()
    assert job.payload["tag"] == "all"  # the pending scan still tags everything afterwards


def test_a_library_scan_then_lidarrs_retag_of_the_same_folder_is_one_scan_that_tags(
    token_holder, key_holder, music, run_jobs
):
    artist = music["root"] / "Artist"
    scanned = library_scan(token_holder, music, artist)
    webhook = {"eventType": "Rename", "artist": {"path": str(artist)}}
    body = key_holder.post("/api/v1/webhooks/lidarr", webhook, format="json").json()
    assert body["job_ids"] == [scanned["job_id"]]
    [job] = scans()
    assert (job.payload["tag"], job.payload["clean_missing"]) == ("all", True)  # merged in
    run_jobs()
    assert Job.objects.filter(kind="tag", status=Job.Status.DONE).count() == len(music["files"])


def test_a_request_for_what_a_running_scan_already_does_reuses_it(music):
    folder = str(music["album"])
    running = queue_folder(folder)
    assert running.claim("w:1")
    assert queue_scan(music["library"], [folder]).pk == running.pk  # it does that and more
    assert len(scans()) == 1


def test_a_request_for_more_than_a_running_scan_does_is_queued_once_after_it(music):
    library, folder = music["library"], str(music["album"])
    running = queue_scan(library, [folder])
    assert running.claim("w:1")
    follow_up = queue_folder(folder)  # tag everything: the running scan will not
    assert follow_up.pk != running.pk and follow_up.status == Job.Status.PENDING
    assert queue_folder(folder).pk == follow_up.pk
    assert queue_scan(library, [folder], force=True).pk == follow_up.pk
    follow_up.refresh_from_db()
    assert (follow_up.payload["tag"], follow_up.payload["force"]) == ("all", True)
    assert len(scans()) == 2


def test_scans_of_different_folders_or_depths_stay_separate(music):
    library, album = music["library"], str(music["album"])
    one = queue_scan(library, [album])
    assert queue_scan(library, [album], recursive=False).pk != one.pk
    assert queue_scan(library, []).pk != one.pk
    assert queue_scan(library, [album]).pk == one.pk


def test_a_file_queued_by_path_and_by_track_is_one_tag_job(key_holder, music):
    from library.models import Track

    path = music["files"]["flac"]
    by_path = key_holder.post("/api/v1/tag", {"path": str(path)}, format="json").json()
    scan_library(music["library"])
    track = Track.objects.get(path=str(path))
    by_track = queue_tag(track.path, track=track)
    assert by_track.pk == by_path["job_id"]
    assert by_track.payload == {"path": str(path)}  # one payload, whichever way it came
    assert Job.objects.filter(kind="tag").count() == 1

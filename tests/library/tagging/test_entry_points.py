"""The tagging entry points refuse paths outside the library roots and answer in the error
format; Lidarr's webhook queues what each event type names; one file's tags can be read."""

from __future__ import annotations

import base64
import os

import pytest

from jobs.models import Job
from jobs.subjects import Subject

pytestmark = pytest.mark.django_db


def tag(client, path, **extra):
    return client.post("/api/v1/tag", {"path": str(path), **extra}, format="json")


def test_a_file_inside_a_root_is_queued_once_while_pending(key_holder, music):
    path = music["files"]["mp3"]
    first = tag(key_holder, path).json()
    second = tag(key_holder, path).json()
    assert first["job_id"] == second["job_id"]
    job = Job.objects.get(pk=first["job_id"])
    assert job.kind == "tag" and job.path == str(path)
    assert job.subject == Subject.of(music["library"])  # a file the library has not seen yet


def test_a_missing_file_is_400_file_not_found(key_holder, music):
    missing = music["album"] / "nope.mp3"
    response = tag(key_holder, missing)
    assert response.status_code == 400
    assert response.json()["message"] == f"File not found: {missing}"


def test_dot_dot_escapes_are_refused(key_holder, music, tmp_path):
    outside = tmp_path / "secret.mp3"
    outside.write_bytes(music["files"]["mp3"].read_bytes())
    sneaky = f"{music['root']}/../secret.mp3"
    response = tag(key_holder, sneaky)
    assert response.status_code == 403
    assert response.json()["error"] == "AUTHORIZATION_ERROR"
    assert not Job.objects.exists()


def test_absolute_paths_outside_every_root_are_refused(key_holder, music):
    response = tag(key_holder, "/etc/passwd")
    assert response.status_code == 403
    assert "outside" in response.json()["message"]


def test_symlinks_pointing_outside_are_refused(key_holder, music, tmp_path):
    outside = tmp_path / "elsewhere.flac"
    outside.write_bytes(music["files"]["flac"].read_bytes())
    link = music["album"] / "link.flac"
    os.symlink(outside, link)
    response = tag(key_holder, link)
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_relative_and_empty_paths_are_400(key_holder, music):
    assert tag(key_holder, "Artist/Album/01 Song.mp3").status_code == 400
    assert tag(key_holder, "").status_code == 400
    assert key_holder.post("/api/v1/tag", {}, format="json").status_code == 400


def test_a_folder_is_not_a_file_for_the_legacy_endpoint(key_holder, music):
    response = tag(key_holder, music["album"])
    assert response.status_code == 400
    assert "Not a file" in response.json()["message"]


def test_an_empty_file_is_refused_at_once_and_not_queued(key_holder, music):
    empty = music["album"] / "empty.mp3"
    empty.write_bytes(b"")
    response = tag(key_holder, empty)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "VALIDATION_ERROR"
    assert body["message"] == f"The file is empty (0 bytes): {empty}"
    assert body["details"]["path"] == str(empty)
    assert not Job.objects.exists()


def test_an_unreadable_file_is_refused_at_once_with_the_reason(key_holder, music, monkeypatch):
    from library.tagging import requests as services

    locked = music["files"]["flac"]
    real_open = os.open

    def deny(path, flags, *args, **kwargs):  # chmod 000 would not stop root, who runs CI
        if str(path) == str(locked):
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(services.os, "open", deny)
    response = tag(key_holder, locked)
    assert response.status_code == 400
    assert response.json()["message"] == f"Cannot read the file: {locked} (Permission denied)"
    assert not Job.objects.exists()


def test_process_files_refuses_an_empty_file_with_the_reason(token_holder, music):
    empty = music["album"] / "empty.flac"
    empty.write_bytes(b"")
    response = token_holder.post(
        "/api/web/processing/process-files", {"paths": [str(empty)]}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["queued"] == 0 and body["job_ids"] == []
    assert body["refused"] == [
        {"path": str(empty), "reason": f"The file is empty (0 bytes): {empty}"}
    ]
    assert not Job.objects.exists()


def test_the_legacy_endpoint_takes_api_keys_only(token_holder, anonymous, music):
    assert tag(anonymous, music["files"]["mp3"]).status_code == 401
    assert tag(token_holder, music["files"]["mp3"]).status_code == 403


def test_process_files_queues_files_and_reports_refusals(token_holder, music):
    response = token_holder.post(
        "/api/web/processing/process-files",
        {"paths": [str(music["files"]["flac"]), "/etc/hosts", str(music["files"]["ogg"])]},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["queued"] == 2 and len(body["job_ids"]) == 2
    assert body["refused"][0]["path"] == "/etc/hosts"
    assert Job.objects.filter(kind="tag").count() == 2


def test_process_files_validates_its_body(token_holder, music):
    url = "/api/web/processing/process-files"
    assert token_holder.post(url, {"paths": []}, format="json").status_code == 400
    assert token_holder.post(url, {"paths": "x"}, format="json").status_code == 400
    assert token_holder.post(url, {}, format="json").status_code == 400


def test_reading_one_files_tags(key_holder, token_holder, music):
    from library.tagfiles.writer import write_tags

    path = music["files"]["opus"]
    write_tags(path, {"nom:mood_happy": ["0.9"]}, "nom")
    for client, url in ((key_holder, "/api/v1/tags"), (token_holder, "/api/web/tags")):
        body = client.get(url, {"path": str(path)}).json()
        assert body["tags"] == {"nom:mood_happy": ["0.9"]}
        assert body["title"] == "Song opus"
    assert key_holder.get("/api/v1/tags", {"path": "/etc/passwd"}).status_code == 403
    assert key_holder.get("/api/v1/tags").status_code == 400


def lidarr(client, payload, **extra):
    return client.post("/api/v1/webhooks/lidarr", payload, format="json", **extra)


def test_lidarr_test_event_answers_200_and_queues_nothing(key_holder, music):
    response = lidarr(key_holder, {"eventType": "Test", "artist": {"path": str(music["root"])}})
    assert response.status_code == 200
    assert response.json()["queued"] == 0
    assert not Job.objects.exists()


def test_lidarr_download_queues_track_files_and_refuses_outsiders(key_holder, music):
    payload = {
        "eventType": "Download",
        "artist": {"id": 1, "name": "Artist", "path": str(music["root"] / "Artist")},
        "trackFiles": [
            {"id": 1, "path": str(music["files"]["flac"])},
            {"id": 2, "path": "/downloads/elsewhere.flac"},
        ],
        "deletedFiles": [{"id": 3, "path": str(music["files"]["mp3"])}],
        "isUpgrade": True,
    }
    body = lidarr(key_holder, payload).json()
    assert body["queued"] == 1
    assert body["refused"][0]["path"] == "/downloads/elsewhere.flac"
    assert list(Job.objects.values_list("path", flat=True)) == [str(music["files"]["flac"])]


def test_lidarr_may_authenticate_with_basic_auth_or_the_query(api_key, anonymous, music):
    payload = {"eventType": "Test"}
    basic = base64.b64encode(f"lidarr:{api_key.clear}".encode()).decode()
    assert lidarr(anonymous, payload, HTTP_AUTHORIZATION=f"Basic {basic}").status_code == 200
    url = f"/api/v1/webhooks/lidarr?apikey={api_key.clear}"
    assert anonymous.post(url, payload, format="json").status_code == 200
    assert lidarr(anonymous, payload).status_code == 401
    wrong = base64.b64encode(b"lidarr:not-the-key").decode()
    assert lidarr(anonymous, payload, HTTP_AUTHORIZATION=f"Basic {wrong}").status_code == 401


def test_lidarr_other_events_are_ignored_and_malformed_bodies_are_400(key_holder, music):
    assert lidarr(key_holder, {"eventType": "Grab"}).json()["message"] == "Event ignored"
    assert lidarr(key_holder, {"eventType": "Download"}).status_code == 400
    bad = key_holder.post("/api/v1/webhooks/lidarr", "not json", content_type="application/json")
    assert bad.status_code == 400
    assert not Job.objects.exists()


def test_a_picked_folder_is_rescanned_then_every_file_is_tagged(token_holder, music, run_jobs):
    from library.models import Track

    response = token_holder.post(
        "/api/web/processing/process-files", {"paths": [str(music["album"])]}, format="json"
    )
    assert response.json()["queued"] == 1
    scan = Job.objects.get(kind="scan")
    assert scan.payload["tag"] == "all"
    run_jobs()
    scan.refresh_from_db()
    assert scan.status == Job.Status.DONE, scan.error_message
    tags = Job.objects.filter(kind="tag")
    assert tags.count() == 5
    assert set(tags.values_list("status", flat=True)) == {Job.Status.DONE}
    assert Track.objects.exclude(tagged_version="").count() == 5


def test_lidarr_rename_rescans_and_tags_the_artist_folder(key_holder, music, run_jobs):
    artist = music["root"] / "Artist"
    body = lidarr(key_holder, {"eventType": "Rename", "artist": {"path": str(artist)}}).json()
    assert body["queued"] == 1
    run_jobs()
    assert Job.objects.filter(kind="tag", status=Job.Status.DONE).count() == 5


def test_info_reports_the_model_suite(anonymous, music):
    models = anonymous.get("/api/v1/info").json()["models"]
    assert models["status"] == "ready"
    assert "mood_happy" in models["heads"]
    assert "discogs-effnet-bs64-1" in models["embeddings"]
    assert models["suite_version"].startswith("p1-")


def test_info_says_when_models_are_missing(anonymous, db, tmp_path):
    from nomarr_site import config

    config.set_value("models_dir", str(tmp_path / "none"))
    assert anonymous.get("/api/v1/info").json()["models"]["status"] == "missing"

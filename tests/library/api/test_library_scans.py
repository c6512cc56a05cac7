"""Library statistics and scan requests (web API and the legacy API-key endpoint): one scan
job per request, the same scan once, bad paths refused."""

from __future__ import annotations

import os

import pytest

from jobs.models import Job
from library.models import Library, Track
from tests.library.api.conftest import error_of

pytestmark = pytest.mark.django_db


# Stats


def test_stats_count_files_artists_albums_and_duration(token_holder, music, roots):
    rows = [
        ("a", "Band", "Record", 100.0),
        ("b", "Band", "Record", 50.5),
        ("c", "Other", "", 10.0),
        ("d", "", "Second", None),
    ]
    for name, artist, album, duration in rows:
        Track.objects.create(library=music, path=f"{music.root_path}/{name}.mp3",
                             relative_path=f"{name}.mp3", size=1, mtime=1.0, artist=artist,
                             album=album, duration=duration)  # fmt: skip
    response = token_holder.get("/api/web/libraries/stats")
    assert response.status_code == 200
    assert response.json() == {
        "total_files": 4,
        "unique_artists": 2,
        "unique_albums": 2,
        "total_duration_seconds": 160.5,
    }


def test_stats_of_one_library_and_of_an_unknown_one(token_holder, music, roots):
    other = Library.objects.create(name="Other", root_path=str(roots / "other"))
    Track.objects.create(library=other, path="/x.mp3", relative_path="x.mp3", size=1, mtime=1)
    assert token_holder.get(f"/api/web/libraries/stats?library_id={music.id}").json()[
        "total_files"
    ] == 0  # fmt: skip
    assert token_holder.get("/api/web/libraries/stats?library_id=999").status_code == 404
    assert token_holder.get("/api/web/libraries/stats?library_id=abc").status_code == 400


# Scans


@pytest.mark.parametrize("raw", ["²", "１", "-1", "x"])
def test_stats_refuse_a_library_id_that_is_not_ascii_digits(token_holder, music, raw):
    response = token_holder.get("/api/web/libraries/stats", {"library_id": raw})
    assert response.status_code == 400
    assert "library_id must be a positive integer" in error_of(response)["message"]


def test_a_scan_request_queues_one_scan_job(token_holder, music, roots):
    folder = str(roots / "music" / "Album")
    response = token_holder.post(
        f"/api/web/libraries/{music.id}/scan",
        {"paths": [folder], "recursive": True, "force": False, "clean_missing": True},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["queued"] == 1
    assert "Queued a scan" in body["message"]
    job = Job.objects.get(pk=body["job_id"])
    assert (job.kind, str(job.subject), job.path) == ("scan", f"library.library:{music.id}", folder)
    assert job.payload == {
        "library_id": music.id,
        "paths": [folder],
        "recursive": True,
        "force": False,
        "clean_missing": True,
    }


def test_the_same_scan_twice_is_queued_once(token_holder, music):
    url = f"/api/web/libraries/{music.id}/scan"
    first = token_holder.post(url, {}, format="json").json()
    second = token_holder.post(url, {}, format="json").json()
    assert (first["queued"], second["queued"]) == (1, 0)
    assert first["job_id"] == second["job_id"]
    assert "already queued" in second["message"]
    assert Job.objects.filter(kind="scan").count() == 1


@pytest.mark.parametrize(
    ("paths", "status", "message"),
    [
        (["{roots}/outside/b.mp3"], 403, "outside every library root"),
        (["{roots}/music/../outside/b.mp3"], 403, "outside"),
        (["{roots}/music/missing"], 400, "File not found: {roots}/music/missing"),
        (["relative"], 400, "absolute"),
        ([""], 400, "empty"),
        ("not a list", 400, "paths"),
        ([["nested"]], 400, "paths"),
    ],
)
def test_bad_scan_paths_are_refused(token_holder, music, roots, paths, status, message):
    if isinstance(paths, list) and paths and isinstance(paths[0], str):
        paths = [p.format(roots=roots) for p in paths]
    response = token_holder.post(
        f"/api/web/libraries/{music.id}/scan", {"paths": paths}, format="json"
    )
    assert response.status_code == status
    assert message.format(roots=roots) in error_of(response)["message"]
    assert not Job.objects.exists()


def test_a_scan_path_in_another_library_is_refused(token_holder, music, roots):
    Library.objects.create(name="Other", root_path=str(roots / "other"))
    response = token_holder.post(
        f"/api/web/libraries/{music.id}/scan",
        {"paths": [str(roots / "other" / "Album")]},
        format="json",
    )
    assert response.status_code == 403


def test_a_disabled_library_cannot_be_scanned(token_holder, music):
    music.is_enabled = False
    music.save()
    response = token_holder.post(f"/api/web/libraries/{music.id}/scan", {}, format="json")
    assert response.status_code == 409
    assert "disabled" in error_of(response)["message"]


def test_scanning_an_unknown_library_is_404(token_holder):
    assert token_holder.post("/api/web/libraries/42/scan", {}, format="json").status_code == 404


def test_the_legacy_scan_queues_by_path_with_an_api_key(key_holder, music, roots):
    folder = roots / "music" / "Album"
    response = key_holder.post("/api/v1/scan", {"path": str(folder), "force": True}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["queued"] == 1
    job = Job.objects.get(pk=body["job_id"])
    assert job.payload["paths"] == [str(folder)]
    assert job.payload["force"] is True


def test_the_legacy_scan_queues_a_whole_library_by_id(key_holder, music):
    response = key_holder.post("/api/v1/scan", {"library_id": music.id}, format="json")
    assert response.status_code == 200
    assert Job.objects.get().payload["paths"] == []


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({}, 400),
        ({"path": "/x", "library_id": 1}, 400),
        ({"library_id": 999}, 404),
        ({"library_id": "one"}, 400),
        ({"path": "/etc"}, 403),
        ({"path": "/music/\x00x"}, 400),
    ],
)
def test_the_legacy_scan_refuses_bad_bodies(key_holder, music, payload, status):
    assert key_holder.post("/api/v1/scan", payload, format="json").status_code == status


def test_the_legacy_scan_reports_a_missing_path_inside_a_root(key_holder, music):
    missing = os.path.join(music.root_path, "nope")
    response = key_holder.post("/api/v1/scan", {"path": missing}, format="json")
    assert response.status_code == 400
    assert error_of(response)["message"] == f"File not found: {missing}"

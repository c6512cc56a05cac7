"""The library web API and the legacy scan endpoint: shapes, status codes, bad inputs and who
may call them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jobs.models import Job
from library.models import Library, Track, TrackScore

pytestmark = pytest.mark.django_db

LIBRARY_FIELDS = {
    "id", "name", "root_path", "kind", "is_enabled", "is_default", "created_at", "updated_at",
}  # fmt: skip


@pytest.fixture
def roots(tmp_path) -> Path:
    for name in ("music", "other", "outside"):
        (tmp_path / name / "Album").mkdir(parents=True)
    (tmp_path / "music" / "Album" / "a.mp3").write_bytes(b"x")
    (tmp_path / "outside" / "b.mp3").write_bytes(b"x")
    return tmp_path


@pytest.fixture
def music(roots) -> Library:
    return Library.objects.create(name="Music", root_path=str(roots / "music"), is_default=True)


def error_of(response) -> dict:
    body = response.json()
    assert body["success"] is False
    return body


# Who may call


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/web/libraries"),
        ("post", "/api/web/libraries"),
        ("get", "/api/web/libraries/stats"),
        ("get", "/api/web/libraries/1"),
        ("patch", "/api/web/libraries/1"),
        ("delete", "/api/web/libraries/1"),
        ("post", "/api/web/libraries/1/scan"),
        ("get", "/api/web/libraries/1/tracks"),
        ("get", "/api/web/tracks/1"),
    ],
)
def test_web_endpoints_refuse_anonymous_and_api_keys(anonymous, key_holder, method, url):
    assert getattr(anonymous, method)(url, {}, format="json").status_code == 401
    assert getattr(key_holder, method)(url, {}, format="json").status_code == 403


def test_the_legacy_scan_refuses_anonymous_and_session_tokens(anonymous, token_holder):
    assert anonymous.post("/api/v1/scan", {"library_id": 1}, format="json").status_code == 401
    assert token_holder.post("/api/v1/scan", {"library_id": 1}, format="json").status_code == 403


# List and create


def test_libraries_are_listed_as_a_bare_list_ordered_by_name(token_holder, music, roots):
    Library.objects.create(name="Audiobooks", root_path=str(roots / "other"), is_enabled=False)
    response = token_holder.get("/api/web/libraries")
    assert response.status_code == 200
    body = response.json()
    assert [lib["name"] for lib in body] == ["Audiobooks", "Music"]
    assert set(body[0]) == LIBRARY_FIELDS
    enabled = token_holder.get("/api/web/libraries?enabled_only=true").json()
    assert [lib["name"] for lib in enabled] == ["Music"]


def test_enabled_only_must_be_a_boolean(token_holder):
    response = token_holder.get("/api/web/libraries?enabled_only=maybe")
    assert response.status_code == 400
    assert "enabled_only" in error_of(response)["message"]


def test_a_library_is_created_with_its_root_resolved(token_holder, roots):
    response = token_holder.post(
        "/api/web/libraries",
        {"name": " Music ", "root_path": str(roots / "music" / ".." / "music"), "kind": "music"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == LIBRARY_FIELDS
    assert body["name"] == "Music"
    assert body["root_path"] == str(roots / "music")
    assert body["is_default"] is True  # the first library becomes the default


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"root_path": "/music"}, "name"),
        ({"name": "x"}, "root_path"),
        ({"name": "   ", "root_path": "/music"}, "name"),
        ({"name": "x", "root_path": "/music", "kind": "video"}, "kind"),
        ({"name": "x" * 201, "root_path": "/music"}, "name"),
        ({"name": "x", "root_path": "/music", "is_enabled": "perhaps"}, "is_enabled"),
    ],
)
def test_create_validation_errors_name_the_field(token_holder, payload, field):
    response = token_holder.post("/api/web/libraries", payload, format="json")
    assert response.status_code == 400
    assert field in error_of(response)["details"]["fields"]


@pytest.mark.parametrize(
    ("root", "status", "message"),
    [
        ("{roots}/missing", 400, "Folder not found"),
        ("{roots}/music/Album/a.mp3", 400, "Not a folder"),
        ("relative/path", 400, "absolute"),
        ("{roots}/music", 409, "already uses this folder"),
        ("{roots}/music/Album", 409, "lies inside the root"),
        ("{roots}", 409, "contains the root"),
    ],
)
def test_bad_roots_are_refused(token_holder, music, roots, root, status, message):
    payload = {"name": "New", "root_path": root.format(roots=roots)}
    response = token_holder.post("/api/web/libraries", payload, format="json")
    assert response.status_code == status
    body = error_of(response)
    assert message in body["message"]
    assert body["details"]["fields"]["root_path"] == [body["message"]]


def test_an_unreadable_root_is_refused(token_holder, roots, monkeypatch):
    from library import paths

    monkeypatch.setattr(paths.os, "access", lambda path, mode: False)
    payload = {"name": "New", "root_path": str(roots / "other")}
    response = token_holder.post("/api/web/libraries", payload, format="json")
    assert response.status_code == 400
    assert "not readable" in error_of(response)["message"]


@pytest.mark.parametrize("root", ["/", "/etc", "/proc", "/sys", "/dev", "/usr", "/bin", "/boot"])
@pytest.mark.parametrize("method", ["post", "patch"])
def test_system_folders_are_refused_as_roots_on_create_and_update(
    token_holder, music, root, method
):
    Library.objects.exclude(pk=music.pk).delete()
    if method == "post":
        music.delete()  # alone, `/` clashes with no other root: only the system check refuses it
        response = token_holder.post(
            "/api/web/libraries", {"name": "New", "root_path": root}, format="json"
        )
    else:
        response = token_holder.patch(
            f"/api/web/libraries/{music.id}", {"root_path": root}, format="json"
        )
    assert response.status_code == 400
    body = error_of(response)
    assert body["error"] == "VALIDATION_ERROR"
    assert "system folder" in body["message"]
    assert body["details"]["fields"]["root_path"] == [body["message"]]
    assert Library.objects.filter(root_path=root).count() == 0


def test_folders_inside_system_trees_are_refused_but_music_under_var_is_not(token_holder, tmp_path):
    response = token_holder.post(
        "/api/web/libraries", {"name": "Etc", "root_path": "/etc/ssl"}, format="json"
    )
    assert response.status_code == 400
    assert "system folder (/etc)" in error_of(response)["message"]
    from library.paths import SYSTEM_FOLDERS, SYSTEM_TREES

    assert "/var" in SYSTEM_FOLDERS and "/var" not in SYSTEM_TREES  # /var/lib/mpd/music is fine


def test_a_symlink_to_a_system_folder_is_refused(token_holder, roots):
    link = roots / "sneaky"
    os.symlink("/etc", link)
    response = token_holder.post(
        "/api/web/libraries", {"name": "Sneaky", "root_path": str(link)}, format="json"
    )
    assert response.status_code == 400
    assert "system folder (/etc)" in error_of(response)["message"]
    assert not Library.objects.exists()


@pytest.mark.parametrize("where", ["itself", "inside", "symlink"])
def test_the_data_dir_and_anything_inside_it_are_refused(token_holder, settings, roots, where):
    data_dir = roots / "data"
    (data_dir / "models").mkdir(parents=True)
    settings.DATA_DIR = data_dir
    target = {"itself": data_dir, "inside": data_dir / "models", "symlink": roots / "link"}[where]
    if where == "symlink":
        os.symlink(data_dir / "models", target)
    response = token_holder.post(
        "/api/web/libraries", {"name": "Data", "root_path": str(target)}, format="json"
    )
    assert response.status_code == 400
    assert "data folder" in error_of(response)["message"]


def test_a_patch_to_a_good_root_still_passes(token_holder, music, roots):
    response = token_holder.patch(
        f"/api/web/libraries/{music.id}", {"root_path": str(roots / "other")}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["root_path"] == str(roots / "other")


# Read, update, delete


def test_one_library_is_read_by_id_and_an_unknown_id_is_404(token_holder, music):
    assert token_holder.get(f"/api/web/libraries/{music.id}").json()["name"] == "Music"
    response = token_holder.get("/api/web/libraries/999")
    assert response.status_code == 404
    assert error_of(response)["error"] == "NOT_FOUND_ERROR"


def test_a_library_is_renamed_and_disabled_with_patch(token_holder, music):
    response = token_holder.patch(
        f"/api/web/libraries/{music.id}", {"name": "Renamed", "is_enabled": False}, format="json"
    )
    assert response.status_code == 200
    music.refresh_from_db()
    assert (music.name, music.is_enabled, music.root_path) == ("Renamed", False, music.root_path)


def test_making_a_library_the_default_clears_the_previous_default(token_holder, music, roots):
    other = Library.objects.create(name="Other", root_path=str(roots / "other"))
    token_holder.patch(f"/api/web/libraries/{other.id}", {"is_default": True}, format="json")
    assert list(Library.objects.filter(is_default=True)) == [other]


def test_moving_a_root_moves_the_stored_track_paths(token_holder, music, roots):
    Track.objects.create(library=music, path=str(roots / "music/Album/a.mp3"),
                         relative_path="Album/a.mp3", size=1, mtime=1.0)  # fmt: skip
    new_root = roots / "moved"
    new_root.mkdir()
    response = token_holder.patch(
        f"/api/web/libraries/{music.id}", {"root_path": str(new_root)}, format="json"
    )
    assert response.status_code == 200
    assert Track.objects.get().path == str(new_root / "Album" / "a.mp3")


def test_a_patch_cannot_nest_a_root_inside_another(token_holder, music, roots):
    other = Library.objects.create(name="Other", root_path=str(roots / "other"))
    response = token_holder.patch(
        f"/api/web/libraries/{other.id}",
        {"root_path": str(roots / "music" / "Album")},
        format="json",
    )
    assert response.status_code == 409


def test_deleting_without_confirmation_is_refused_and_explains(token_holder, music):
    response = token_holder.delete(f"/api/web/libraries/{music.id}")
    assert response.status_code == 400
    assert "confirm=true" in error_of(response)["message"]
    assert Library.objects.filter(pk=music.id).exists()


@pytest.mark.parametrize("how", ["query", "body"])
def test_a_confirmed_delete_forgets_rows_but_never_touches_files(token_holder, music, roots, how):
    song = roots / "music" / "Album" / "a.mp3"
    track = Track.objects.create(library=music, path=str(song), relative_path="Album/a.mp3",
                                 size=1, mtime=1.0)  # fmt: skip
    TrackScore.objects.create(track=track, head="danceability", score_mean=0.5, model_file="m.pb")
    url = f"/api/web/libraries/{music.id}"
    if how == "query":
        response = token_holder.delete(url + "?confirm=true")
    else:
        response = token_holder.delete(url, {"confirm": True}, format="json")
    assert response.status_code == 200
    assert response.json()["tracks_removed"] == 1
    assert not Library.objects.exists() and not Track.objects.exists()
    assert not TrackScore.objects.exists()
    assert song.exists()


def test_deleting_a_library_cancels_its_unfinished_jobs_with_a_message(token_holder, music, roots):
    from library.scanning.scan_job import queue_scan
    from library.tagging.tag_job import queue_tag

    other = Library.objects.create(name="Other", root_path=str(roots / "other"))
    track = Track.objects.create(library=music, path=str(roots / "music/Album/a.mp3"),
                                 relative_path="Album/a.mp3", size=1, mtime=1.0)  # fmt: skip
    done = queue_scan(music, [])
    Job.objects.filter(pk=done.pk).update(status=Job.Status.DONE)
    scan = queue_scan(music, [])
    tag = queue_tag(track.path, track=track)  # its subject is the track, not the library
    elsewhere = queue_scan(other, [])
    response = token_holder.delete(f"/api/web/libraries/{music.id}?confirm=true")
    assert response.status_code == 200
    for job in (scan, tag):
        job.refresh_from_db()
        assert (job.status, job.error_message) == ("cancelled", "Library Music was removed")
    assert Job.objects.get(pk=done.pk).status == Job.Status.DONE
    assert Job.objects.get(pk=elsewhere.pk).status == Job.Status.PENDING


@pytest.mark.parametrize("seen", ["at_its_next_check", "by_the_failure_it_causes"])
def test_a_running_job_of_a_removed_library_stops_with_the_reason(token_holder, music, seen):
    from jobs.runner import execute
    from jobs.services.claim import claim_next
    from library.scanning.scan_job import queue_scan

    queue_scan(music, [])
    job = claim_next("worker-1")
    response = token_holder.delete(f"/api/web/libraries/{music.id}?confirm=true")
    assert response.status_code == 200
    assert Job.objects.get(pk=job.pk).cancel_requested
    if seen == "at_its_next_check":
        job.refresh_from_db()
    # else: the runner read the job before the delete, so its scan finds no library and fails
    execute(job)
    job.refresh_from_db()
    assert (job.status, job.error_message) == ("cancelled", "Library Music was removed")


def _backoffice_post(browser, url: str, data: dict):
    browser.get(url)
    return browser.post(url, {**data, "csrfmiddlewaretoken": browser.cookies["csrftoken"].value})


def test_the_backoffice_delete_also_cancels_the_librarys_jobs(admin_browser, music):
    from library.scanning.scan_job import queue_scan

    scan = queue_scan(music, [])
    url = f"/backoffice/library/library/{music.pk}/delete/"
    response = _backoffice_post(admin_browser, url, {"post": "yes"})
    assert response.status_code == 302
    assert not Library.objects.exists()
    scan.refresh_from_db()
    assert (scan.status, scan.error_message) == ("cancelled", "Library Music was removed")


def test_the_backoffice_refuses_a_system_folder_as_a_root(admin_browser, music):
    url = f"/backoffice/library/library/{music.pk}/change/"
    data = {"name": "Music", "root_path": "/etc", "kind": "music", "is_enabled": "on"}
    response = _backoffice_post(admin_browser, url, data)
    assert response.status_code == 200  # the form again, with the error
    assert "system folder (/etc)" in response.content.decode()
    music.refresh_from_db()
    assert music.root_path != "/etc"


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


# Tracks


def make_tracks(library: Library, count: int) -> list[Track]:
    return [
        Track.objects.create(
            library=library,
            path=f"{library.root_path}/{index:02d}.mp3",
            relative_path=f"{index:02d}.mp3",
            size=index,
            mtime=1.0,
            title=f"Title {index}",
            artist="Needle" if index == 7 else "Band",
        )
        for index in range(count)
    ]


def test_a_librarys_tracks_are_paginated_in_path_order(token_holder, music):
    make_tracks(music, 12)
    response = token_holder.get(f"/api/web/libraries/{music.id}/tracks?limit=5&offset=5")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 12
    assert [t["relative_path"] for t in body["results"]] == [f"{i:02d}.mp3" for i in range(5, 10)]
    assert body["results"][0]["library_id"] == music.id


def test_tracks_can_be_searched(token_holder, music):
    make_tracks(music, 10)
    body = token_holder.get(f"/api/web/libraries/{music.id}/tracks?search=needle").json()
    assert [t["artist"] for t in body["results"]] == ["Needle"]
    too_long = token_holder.get(f"/api/web/libraries/{music.id}/tracks?search={'x' * 300}")
    assert too_long.status_code == 400


def test_tracks_of_an_unknown_library_are_404(token_holder):
    assert token_holder.get("/api/web/libraries/99/tracks").status_code == 404


def test_one_track_comes_with_its_raw_scores(token_holder, music):
    track = make_tracks(music, 1)[0]
    TrackScore.objects.create(track=track, head="mood_happy", label="happy", score_mean=0.8,
                              score_std=0.1, model_file="mood_happy-discogs-effnet-1.pb",
                              embedding_model="discogs-effnet-bs64-1")  # fmt: skip
    response = token_holder.get(f"/api/web/tracks/{track.id}")
    assert response.status_code == 200
    body = response.json()
    assert body["path"] == track.path
    assert body["namespace_tags"] == {}
    assert [(s["head"], s["label"], s["score_mean"]) for s in body["scores"]] == [
        ("mood_happy", "happy", 0.8)
    ]
    assert token_holder.get("/api/web/tracks/999").status_code == 404

"""Reading, updating and deleting libraries (API and backoffice): deleting forgets rows,
never files, and cancels the library's unfinished jobs with the reason."""

from __future__ import annotations

import pytest

from jobs.models import Job
from library.models import Library, Track, TrackScore
from tests.library.api.conftest import error_of

pytestmark = pytest.mark.django_db


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


def test_a_second_library_with_a_taken_name_is_refused_on_create_and_rename(
    token_holder, music, roots
):
    response = token_holder.post(
        "/api/web/libraries", {"name": "MUSIC", "root_path": str(roots / "other")}, format="json"
    )
    assert response.status_code == 409
    message = "A library named 'MUSIC' already exists; choose another name."
    assert error_of(response)["details"]["fields"] == {"name": [message]}
    other = Library.objects.create(name="Other", root_path=str(roots / "other"))
    renamed = token_holder.patch(f"/api/web/libraries/{other.pk}", {"name": "music"}, format="json")
    assert renamed.status_code == 409
    assert Library.objects.get(pk=other.pk).name == "Other"
    # Renaming a library to its own name in another case is no clash.
    same = token_holder.patch(f"/api/web/libraries/{music.pk}", {"name": "MUSIC"}, format="json")
    assert same.status_code == 200

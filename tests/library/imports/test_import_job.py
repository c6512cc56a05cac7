"""The `import` job: audio moves into the music library (then a tag job is queued), a video
becomes its series' episode (renamed into its season folder, marked present), an NZB goes to
SABnzbd or NZBGet (the loopback fakes record what arrived); a file changed or swapped for a
link after it was queued is refused, and nothing is ever overwritten."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from jobs.models import Job
from jobs.runner import execute
from library.imports import clients
from library.imports.intake import request_import
from library.models import Episode, ImportItem
from tests.library.imports.conftest import NZB, SAB_KEY, write, write_gz
from tests.support.nzb_clients import nzb_content

pytestmark = pytest.mark.django_db

Status = ImportItem.Status


def run(item: ImportItem) -> ImportItem:
    """Run the item's job once in this process (the worker's claim, then the runner)."""
    job = Job.objects.get(pk=item.job_id)
    assert job.claim("test-worker")
    execute(job)
    item.refresh_from_db()
    return item


def job_of(item: ImportItem) -> Job:
    return Job.objects.get(pk=item.job_id)


def test_audio_moves_below_the_library_without_the_relative_path_and_is_queued_for_tagging(
    incoming, music
):
    song = write(incoming / "Artist" / "Album" / "01 Song.mp3", b"mp3 bytes")
    item = run(request_import(str(song), str(incoming)))
    destination = Path(music.root_path) / "Artist" / "Album" / "01 Song.mp3"
    assert item.status == Status.IMPORTED, item.message
    assert item.destination == str(destination)
    assert destination.read_bytes() == b"mp3 bytes" and not song.exists()
    tag = Job.objects.get(kind="tag")
    assert tag.payload == {"path": str(destination)}
    assert f"tag job {tag.pk} queued" in item.message
    assert job_of(item).status == Job.Status.DONE and item.finished_at is not None


def test_without_relative_path_audio_lands_at_the_library_root_by_file_name(incoming, music):
    song = write(incoming / "deep" / "er" / "song.flac")
    item = run(request_import(str(song)))
    assert item.destination == str(Path(music.root_path) / "song.flac")


def test_an_existing_destination_fails_the_import_and_nothing_is_overwritten(incoming, music):
    song = write(incoming / "song.mp3", b"new")
    existing = write(Path(music.root_path) / "song.mp3", b"old")
    item = run(request_import(str(song)))
    assert item.status == Status.FAILED
    assert "already exists" in item.message and "does not overwrite" in item.message
    assert existing.read_bytes() == b"old" and song.read_bytes() == b"new"
    assert item.destination == ""  # nothing went there
    assert job_of(item).status == Job.Status.ERROR and job_of(item).error_message == item.message


def test_a_video_becomes_its_series_episode_renamed_into_the_season_folder(incoming, show):
    Episode.objects.create(series=show, season=1, number=2, title="That Day", is_present=False)
    video = write(incoming / "Attack on Titan" / "attack.on.titan.s01e02.1080p.mkv", b"video")
    item = run(request_import(str(video)))
    folder = Path(os.path.realpath(incoming.parent / "series" / show.folder / "Season 01"))
    destination = folder / "Attack on Titan - S01E02 - That Day.mkv"
    assert item.status == Status.IMPORTED, item.message
    assert (item.destination, destination.read_bytes()) == (str(destination), b"video")
    episode = Episode.objects.get(series=show, season=1, number=2)
    assert episode.is_present and episode.path == str(destination)
    assert item.message == "Imported as Attack on Titan S01E02"


def test_a_video_found_by_its_file_name_alone_and_a_special(incoming, show):
    video = write(incoming / "Attack.on.Titan.S00E01.OVA.mkv")
    item = run(request_import(str(video)))
    assert item.status == Status.IMPORTED, item.message
    assert "/Specials/Attack on Titan - S00E01.mkv" in item.destination
    assert Episode.objects.get(series=show, season=0, number=1).is_present


def test_a_video_of_an_unknown_show_fails_clearly(incoming, show):
    video = write(incoming / "Other Show" / "Other.Show.S01E01.mkv")
    item = run(request_import(str(video)))
    assert item.status == Status.FAILED
    assert "No series matches 'Other Show'" in item.message
    assert video.exists()


def test_a_video_without_season_and_episode_fails_clearly(incoming, show):
    video = write(incoming / "Attack on Titan - 012.mkv")
    item = run(request_import(str(video)))
    assert "names no season and episode" in item.message


def test_an_nzb_is_handed_to_sabnzbd_intact_with_key_and_category(incoming, sabnzbd):
    nzb = write(incoming / "Some.Release.nzb", NZB)
    item = run(request_import(str(nzb)))
    assert item.status == Status.HANDED_OVER, item.message
    assert item.downloader_id == "SABnzbd_nzo_00000001"
    [call] = sabnzbd.received
    assert call["path"] == "/api"
    assert call["query"] == {
        "mode": "addfile", "apikey": SAB_KEY, "output": "json", "cat": "tv",
        "nzbname": "Some.Release.nzb",
    }  # fmt: skip
    assert call["files"]["name"] == ("Some.Release.nzb", NZB)
    assert not nzb.exists()  # handed over: gone from the import folder, as AltMount does


def test_a_gzipped_nzb_arrives_inflated(incoming, sabnzbd):
    nzb = write_gz(incoming / "Some.Release.nzb.gz", NZB)
    assert run(request_import(str(nzb))).status == Status.HANDED_OVER
    assert sabnzbd.received[0]["files"]["name"] == ("Some.Release.nzb", NZB)


@pytest.mark.parametrize(
    "fail, words",
    [
        ("key", "check imports.sabnzbd_api_key"),
        ("status_false", "SABnzbd refused the NZB: Failed to add NZB"),
        ("malformed", "check imports.sabnzbd_url"),
    ],
)
def test_sabnzbd_refusals_fail_the_import_naming_what_to_fix(incoming, sabnzbd, fail, words):
    sabnzbd.fail = fail
    nzb = write(incoming / "release.nzb", NZB)
    item = run(request_import(str(nzb)))
    assert item.status == Status.FAILED and words in item.message
    assert job_of(item).attempts == 1  # not retried: retrying cannot help
    assert nzb.exists()


@pytest.mark.parametrize("fail", ["500", "timeout"])
def test_a_failing_or_slow_sabnzbd_is_retried_then_the_nzb_goes_through(
    incoming, sabnzbd, monkeypatch, fail
):
    monkeypatch.setattr(clients, "TIMEOUT_SECONDS", 0.5)
    sabnzbd.fail, sabnzbd.delay = fail, 1.5
    item = run(request_import(str(write(incoming / "release.nzb", NZB))))
    assert item.status == Status.PENDING and "trying again" in item.message
    job = job_of(item)
    assert job.status == Job.Status.PENDING and "retrying" in job.error_message
    sabnzbd.fail = ""
    assert run(item).status == Status.HANDED_OVER


def test_a_downloader_still_down_after_the_last_attempt_fails_the_item(incoming, sabnzbd):
    sabnzbd.fail = "500"
    item = request_import(str(write(incoming / "release.nzb", NZB)))
    Job.objects.filter(pk=item.job_id).update(max_attempts=1)
    item = run(item)
    assert item.status == Status.FAILED and "gave up after 1 attempts" in item.message


def test_an_nzb_is_appended_to_nzbget_with_its_credentials_and_category(incoming, nzbget):
    nzb = write(incoming / "Some.Release.nzb", NZB)
    item = run(request_import(str(nzb)))
    assert (item.status, item.downloader_id) == (Status.HANDED_OVER, "1")
    [call] = nzbget.received
    assert call["path"] == "/jsonrpc" and call["auth"].startswith("Basic ")
    assert call["request"]["method"] == "append"
    params = call["request"]["params"]
    assert params[0] == "Some.Release.nzb" and params[2] == "movies"
    assert params[3:] == [0, False, False, "", 0, "SCORE", []]
    assert nzb_content(call) == NZB


@pytest.mark.parametrize(
    "fail, words",
    [
        ("zero", "append returned 0"),
        ("key", "check imports.nzbget_username and imports.nzbget_password"),
        ("malformed", "check imports.nzbget_url"),
    ],
)
def test_nzbget_refusals_fail_the_import(incoming, nzbget, fail, words):
    nzbget.fail = fail
    item = run(request_import(str(write(incoming / "release.nzb", NZB))))
    assert item.status == Status.FAILED and words in item.message


def test_a_file_swapped_for_a_link_outside_the_roots_after_queueing_is_refused(
    incoming, music, tmp_path
):
    song = write(incoming / "song.mp3", b"mine")
    secret = write(tmp_path / "private" / "secret.mp3", b"secret")
    item = request_import(str(song))
    song.unlink()
    os.symlink(secret, song)
    item = run(item)
    assert item.status == Status.FAILED
    assert "leads outside every import folder" in item.message
    assert secret.read_bytes() == b"secret"
    assert list(Path(music.root_path).iterdir()) == []


def test_a_file_changed_after_queueing_is_refused(incoming, music):
    song = write(incoming / "song.mp3", b"one")
    item = request_import(str(song))
    song.write_bytes(b"changed meanwhile")
    item = run(item)
    assert item.status == Status.FAILED and "changed after it was queued" in item.message


def test_a_file_gone_before_the_job_runs_fails_the_item(incoming, music):
    song = write(incoming / "song.mp3")
    item = request_import(str(song))
    song.unlink()
    assert "File does not exist" in run(item).message


def test_a_show_folder_missing_on_disk_is_created_in_the_series_directory(incoming, show):
    (incoming.parent / "series" / show.folder).rmdir()
    item = run(request_import(str(write(incoming / "Attack on Titan 1x03.mkv"))))
    assert item.status == Status.IMPORTED, item.message
    assert item.destination.endswith(
        f"/series/{show.folder}/Season 01/Attack on Titan - S01E03.mkv"
    )


def test_a_show_folder_that_links_outside_the_series_directory_is_refused(incoming, show, tmp_path):
    folder = incoming.parent / "series" / show.folder
    folder.rmdir()
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", folder)
    item = run(request_import(str(write(incoming / "Attack on Titan 1x03.mkv"))))
    assert item.status == Status.FAILED and "outside the series directory" in item.message
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_sabnzbds_key_never_reaches_the_log(incoming, sabnzbd, caplog):
    caplog.set_level(logging.DEBUG)
    assert run(request_import(str(write(incoming / "release.nzb", NZB)))).downloader_id
    assert "apikey=***" in caplog.text
    assert SAB_KEY not in caplog.text

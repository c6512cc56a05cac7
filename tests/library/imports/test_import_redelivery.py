"""An import job whose worker died midway is delivered again (the stuck-job sweep) or retried by
hand: it finishes from where the first attempt stopped. A moved file is found at the recorded
destination, a partial copy never shows under the final name, an NZB is never handed to the
downloader twice, and a file found nowhere fails naming both places, with nothing removed."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

from jobs.models import Job
from library.imports import actions
from library.imports.import_job import ImportRunner
from library.imports.intake import request_import
from library.models import Episode, ImportItem
from tests.library.imports.conftest import NZB, write
from tests.library.imports.test_import_job import job_of, run

pytestmark = pytest.mark.django_db

Status = ImportItem.Status


class WorkerDied(BaseException):
    """The worker process ending mid-job: nothing below the runner gets to record anything."""


def die(*args, **kwargs):
    raise WorkerDied()


def die_midway(item: ImportItem) -> ImportItem:
    """Run the item's first attempt until something patched to `die` is reached, then let the
    stuck-job sweep take the job back, as it does when a worker stops beating."""
    job = Job.objects.get(pk=item.job_id)
    assert job.claim("worker-that-dies")
    with pytest.raises(WorkerDied):
        ImportRunner(job).run()
    assert job.requeue_stale() and job.status == Job.Status.PENDING
    item.refresh_from_db()
    return item


def unlink_dies_for(monkeypatch, victim: Path) -> None:
    """Removing `victim` kills the worker (other files are removed as usual)."""
    real_unlink = Path.unlink

    def unlink(self, *args, **kwargs):
        if self == victim:
            raise WorkerDied()
        return real_unlink(self, *args, **kwargs)

    monkeypatch.setattr(Path, "unlink", unlink)


def test_audio_redelivered_after_the_move_finishes_at_the_destination_and_is_tagged(
    incoming, music, monkeypatch
):
    song = write(incoming / "song.mp3", b"mp3 bytes")
    item = request_import(str(song))
    with monkeypatch.context() as patch:
        patch.setattr(actions, "queue_tag", die)
        item = die_midway(item)
    destination = Path(music.root_path) / "song.mp3"
    assert not song.exists() and destination.read_bytes() == b"mp3 bytes"

    item = run(item)

    assert item.status == Status.IMPORTED, item.message
    assert item.destination == str(destination) and destination.read_bytes() == b"mp3 bytes"
    assert Job.objects.get(kind="tag").payload == {"path": str(destination)}
    assert job_of(item).status == Job.Status.DONE


def test_audio_redelivered_between_the_link_and_the_removal_of_the_source_finishes(
    incoming, music, monkeypatch
):
    song = write(incoming / "song.mp3", b"mp3 bytes")
    item = request_import(str(song))
    with monkeypatch.context() as patch:
        unlink_dies_for(patch, song)
        item = die_midway(item)
    destination = Path(music.root_path) / "song.mp3"
    assert song.exists() and destination.exists()

    item = run(item)

    assert item.status == Status.IMPORTED, item.message
    assert not song.exists() and destination.read_bytes() == b"mp3 bytes"


def test_a_copy_cut_short_by_a_dying_worker_never_shows_under_the_final_name(
    incoming, music, monkeypatch
):
    """Across file systems the file is copied; a worker dying mid-copy leaves the source whole,
    and the next attempt copies it again."""
    song = write(incoming / "song.mp3", b"x" * 5000)
    item = request_import(str(song))
    real_link = os.link

    def no_hard_links(source, target, *args, **kwargs):
        if str(source).startswith(str(incoming)):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real_link(source, target, *args, **kwargs)

    def copy_half_then_die(reader, writer, *args):
        writer.write(reader.read(2500))
        writer.flush()
        raise WorkerDied()

    monkeypatch.setattr(os, "link", no_hard_links)
    with monkeypatch.context() as patch:
        patch.setattr(shutil, "copyfileobj", copy_half_then_die)
        item = die_midway(item)
    destination = Path(music.root_path) / "song.mp3"
    assert song.read_bytes() == b"x" * 5000 and not destination.exists()

    item = run(item)

    assert item.status == Status.IMPORTED, item.message
    assert destination.read_bytes() == b"x" * 5000 and not song.exists()
    assert os.listdir(music.root_path) == ["song.mp3"]  # no partial copy left behind


def test_a_video_redelivered_after_the_move_marks_its_episode_present(incoming, show, monkeypatch):
    video = write(incoming / "Attack on Titan 1x03.mkv", b"video")
    item = request_import(str(video))
    with monkeypatch.context() as patch:
        patch.setattr(Episode.objects, "update_or_create", die)
        item = die_midway(item)
    assert not video.exists()

    item = run(item)

    assert item.status == Status.IMPORTED, item.message
    assert Path(item.destination).read_bytes() == b"video"
    assert Episode.objects.get(series=show, season=1, number=3).path == item.destination


def test_a_retry_by_hand_after_the_worker_died_on_every_attempt_finishes_the_import(
    incoming, music, monkeypatch
):
    song = write(incoming / "song.mp3", b"mp3 bytes")
    item = request_import(str(song))
    Job.objects.filter(pk=item.job_id).update(max_attempts=1)
    job = job_of(item)
    assert job.claim("worker-that-dies")
    with monkeypatch.context() as patch, pytest.raises(WorkerDied):
        patch.setattr(actions, "queue_tag", die)
        ImportRunner(job).run()
    assert job.requeue_stale() and job.status == Job.Status.ERROR
    assert job.reset_for_retry()

    item = run(item)

    assert item.status == Status.IMPORTED, item.message
    assert (Path(music.root_path) / "song.mp3").read_bytes() == b"mp3 bytes"


def test_a_file_found_neither_in_the_import_folder_nor_at_its_destination_fails_naming_both(
    incoming, music, tmp_path, monkeypatch
):
    song = write(incoming / "song.mp3", b"mp3 bytes")
    item = request_import(str(song))
    with monkeypatch.context() as patch:
        patch.setattr(actions, "queue_tag", die)
        item = die_midway(item)
    destination = Path(music.root_path) / "song.mp3"
    elsewhere = tmp_path / "moved-by-someone.mp3"
    destination.rename(elsewhere)

    item = run(item)

    assert item.status == Status.FAILED
    assert str(song) in item.message and str(destination) in item.message
    assert "earlier attempt" in item.message
    assert elsewhere.read_bytes() == b"mp3 bytes"


def test_a_redelivered_nzb_is_not_handed_to_sabnzbd_a_second_time(incoming, sabnzbd, monkeypatch):
    nzb = write(incoming / "release.nzb", NZB)
    item = request_import(str(nzb))
    with monkeypatch.context() as patch:
        unlink_dies_for(patch, nzb)  # the hand-over went through, the worker died after it
        item = die_midway(item)
    assert len(sabnzbd.received) == 1 and item.downloader_id == "SABnzbd_nzo_00000001"

    item = run(item)

    assert len(sabnzbd.received) == 1
    assert (item.status, item.downloader_id) == (Status.HANDED_OVER, "SABnzbd_nzo_00000001")
    assert "not sent again" in item.message and not nzb.exists()


def test_an_nzb_removed_after_its_hand_over_to_nzbget_is_not_a_missing_file_on_redelivery(
    incoming, nzbget, monkeypatch
):
    nzb = write(incoming / "release.nzb", NZB)
    item = request_import(str(nzb))
    with monkeypatch.context() as patch:
        patch.setattr(ImportItem, "succeed", die)
        item = die_midway(item)
    assert not nzb.exists() and len(nzbget.received) == 1

    item = run(item)

    assert len(nzbget.received) == 1
    assert (item.status, item.downloader_id) == (Status.HANDED_OVER, "1")


def test_an_nzb_the_downloader_refused_is_sent_again_on_a_retry(incoming, sabnzbd):
    sabnzbd.fail = "status_false"
    item = run(request_import(str(write(incoming / "release.nzb", NZB))))
    assert item.status == Status.FAILED and item.downloader_id == ""
    sabnzbd.fail = ""
    assert job_of(item).reset_for_retry()

    item = run(item)

    assert item.status == Status.HANDED_OVER and len(sabnzbd.received) == 2

"""The `scan` job kind run through the real queue (in this process): results, events,
cancellation and queueing new or changed tracks for tagging."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from django.db import connection

import library.scanning.scan_job as scan_jobs
from jobs import registry
from jobs.models import Job
from jobs.runner import JobRunner
from jobs.services import events as job_events
from jobs.transport import work_one
from library.libraries import request_scan
from library.models import Library, Track
from library.scanning import scanner
from library.tagging.requests import queue_folder
from nomarr_site import config
from nomarr_site.events import sender
from tests.support.audio import make_audio
from tests.support.graphs import write_standard_suite

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def song(tmp_path_factory) -> Path:
    return make_audio(tmp_path_factory.mktemp("song") / "song.flac", seconds=1.0)


@pytest.fixture
def library(tmp_path, song) -> Library:
    root = tmp_path / "music"
    for name in ("a", "b", "c"):
        (root / "Album").mkdir(parents=True, exist_ok=True)
        shutil.copy2(song, root / "Album" / f"{name}.flac")
    return Library.objects.create(name="Music", root_path=str(root))


@pytest.fixture
def events(monkeypatch):
    sent = []
    real_emit = sender.emit

    def record(room, kind, data):
        if room != "library":  # the queue's own events are not the scan's
            return real_emit(room, kind, data)
        sent.append((room, kind, data))

    monkeypatch.setattr(sender, "emit", record)
    return sent


def register_like(spec: registry.KindSpec, runner: type[JobRunner]) -> None:
    """Register `runner` for `spec`'s kind with everything else of `spec` (payload, key...)."""
    registry.register(
        spec.kind,
        concurrency=spec.concurrency,
        max_attempts=spec.max_attempts,
        payload=spec.payload,
        dedup_key=spec.dedup_key,
        subject=spec.subject,
        merge=spec.merge,
    )(runner)


@pytest.fixture
def no_tag_kind():
    """No `tag` kind registered for the test (the real one is put back afterwards)."""
    real = registry.get("tag")
    assert real is not None
    registry.unregister("tag")
    yield real
    registry.unregister("tag")
    register_like(real, real.runner)


@pytest.fixture
def models(tmp_path_factory):
    """A usable model suite in the `models_dir` setting: without one a scan queues no tagging."""
    folder = tmp_path_factory.mktemp("models")
    write_standard_suite(folder)
    config.set_value("models_dir", str(folder))
    return folder


@pytest.fixture
def tag_kind(no_tag_kind, models):
    """A stand-in `tag` kind (same payload, key and subject), so these tests never run the
    Essentia pipeline."""

    class FakeTag(JobRunner):
        def run(self):
            return None

    register_like(no_tag_kind, FakeTag)


def run_scan(library: Library, **options) -> Job:
    queued = request_scan(library, **options)
    assert work_one() >= 1  # the scan, then any tag jobs it queued
    return Job.objects.get(pk=queued.job_id)


def test_a_scan_job_stores_the_tracks_and_returns_its_summary(library, events):
    job = run_scan(library, clean_missing=True)
    assert job.status == Job.Status.DONE, job.error_message
    assert job.result["added"] == 3
    assert job.result["scanned"] == 3
    assert job.result["library_id"] == library.pk
    assert job.progress_counters["scanned"] == 3
    assert Track.objects.filter(library=library).count() == 3


def test_a_scan_job_sends_progress_and_completion_to_the_library_room(library, events):
    job = run_scan(library)
    kinds = [kind for room, kind, _ in events if room == "library"]
    assert kinds[-1] == "scan.complete"
    assert "scan.progress" in kinds
    progress = [data for _, kind, data in events if kind == "scan.progress"][-1]
    assert (progress["job_id"], progress["library_id"], progress["fraction"]) == (
        job.pk, library.pk, 1.0,
    )  # fmt: skip
    assert progress["total"] == 3
    complete = events[-1][2]
    assert (complete["added"], complete["updated"], complete["removed"]) == (3, 0, 0)


def test_with_auto_tag_on_new_tracks_are_queued_for_tagging(library, events, tag_kind):
    config.set_value("library_auto_tag", True)
    job = run_scan(library)
    assert job.result["tag_jobs_queued"] == 3
    tag_jobs = Job.objects.filter(kind="tag")
    assert {j.path for j in tag_jobs} == set(Track.objects.values_list("path", flat=True))
    assert {j.payload["path"] for j in tag_jobs} == {j.path for j in tag_jobs}
    assert {j.subject_id for j in tag_jobs} == set(Track.objects.values_list("id", flat=True))
    assert {j.dedup_key for j in tag_jobs} == {f"tag:{j.path}" for j in tag_jobs}


def test_an_unchanged_rescan_queues_no_tagging(library, events, tag_kind):
    config.set_value("library_auto_tag", True)
    run_scan(library)
    Job.objects.filter(kind="tag").delete()
    again = run_scan(library, clean_missing=True)  # not the same payload: not deduplicated
    assert again.result["unchanged"] == 3
    assert not Job.objects.filter(kind="tag").exists()


def test_before_any_model_is_in_place_a_scan_queues_no_tagging_and_says_so(
    library, events, no_tag_kind, tmp_path
):
    """Each tag job would fail at once: one error per track of a first scan."""
    FakeTag = type("FakeTag", (JobRunner,), {"run": lambda self: None})
    register_like(no_tag_kind, FakeTag)
    config.set_value("models_dir", str(tmp_path))  # an empty folder
    config.set_value("library_auto_tag", True)

    job = run_scan(library)

    assert job.status == Job.Status.DONE and job.result["added"] == 3
    assert job.result["tag_jobs_queued"] == 0 and not Job.objects.filter(kind="tag").exists()
    [problem] = job.result["problems"]
    assert problem["path"] == str(tmp_path) and "No usable models yet" in problem["reason"]


def test_with_auto_tag_off_nothing_is_queued_for_tagging(library, events, tag_kind):
    config.set_value("library_auto_tag", False)
    job = run_scan(library)
    assert job.result["tag_jobs_queued"] == 0
    assert not Job.objects.filter(kind="tag").exists()


def test_without_a_tag_kind_scans_queue_no_tagging(library, events, no_tag_kind):
    config.set_value("library_auto_tag", True)
    job = run_scan(library)
    assert job.status == Job.Status.DONE
    assert not Job.objects.filter(kind="tag").exists()


def test_a_scan_can_be_cancelled_between_files(library, events, monkeypatch):
    monkeypatch.setattr(scan_jobs, "CANCEL_CHECK_SECONDS", 0)
    real_read = scanner.read_tags

    def read_then_cancel(*args, **kwargs):
        Job.objects.filter(kind="scan").update(cancel_requested=True)
        return real_read(*args, **kwargs)

    monkeypatch.setattr(scanner, "read_tags", read_then_cancel)
    job = run_scan(library)
    assert job.status == Job.Status.CANCELLED


def test_a_scan_of_a_library_that_was_deleted_fails_clearly(events):
    gone = Library.objects.create(name="Gone", root_path="/gone")
    job = scan_jobs.queue_scan(gone, [])
    gone_id = gone.pk
    Library.objects.filter(pk=gone_id).delete()  # the raw delete: no cancel of its jobs
    work_one()
    job.refresh_from_db()
    assert job.status == Job.Status.ERROR
    assert job.error_message == f"Library {gone_id} no longer exists"


def test_a_scan_of_a_disabled_library_fails_clearly(library, events):
    job = scan_jobs.queue_scan(library, [])
    Library.objects.filter(pk=library.pk).update(is_enabled=False)
    work_one()
    job.refresh_from_db()
    assert job.status == Job.Status.ERROR
    assert "disabled" in job.error_message


@pytest.mark.django_db(transaction=True)
def test_a_folder_request_ends_done_even_when_the_broker_closes_old_connections(
    library, events, tag_kind, monkeypatch
):
    # As in a real worker: autocommit (no test transaction around the job) and connections
    # that are always "old", so django-q2's ORM broker closes the connection on every enqueue
    # (SQLite's default CONN_MAX_AGE is 0; PostgreSQL's 60 s have passed in a long scan).
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    connection.close()
    config.set_value("library_auto_tag", False)  # every tag job comes from the folder request
    # Several pages, the connection closed between them.
    monkeypatch.setattr(scan_jobs, "PAGE_SIZE", 2, raising=False)
    folder = Path(library.root_path) / "Album"
    queued = queue_folder(str(folder))
    assert work_one() >= 1
    queued.refresh_from_db()
    assert queued.status == Job.Status.DONE, queued.error_message
    assert queued.result["tag_jobs_queued"] == 3
    tag_paths = set(Job.objects.filter(kind="tag").values_list("path", flat=True))
    assert tag_paths == {str(folder / f"{name}.flac") for name in ("a", "b", "c")}
    trailing = job_events._trailing
    if trailing is not None:
        trailing.join()  # its queue-status announcement needs the test database


def test_a_folder_request_with_auto_tag_on_counts_each_tag_job_once(library, events, tag_kind):
    config.set_value("library_auto_tag", True)  # the scan queues the new files, then the request
    queued = queue_folder(str(Path(library.root_path) / "Album"))
    work_one()
    queued.refresh_from_db()
    assert queued.status == Job.Status.DONE, queued.error_message
    assert queued.result["tag_jobs_queued"] == 3
    assert Job.objects.filter(kind="tag").count() == 3


def test_a_folder_request_can_be_cancelled_between_pages_of_tag_jobs(
    library, events, tag_kind, monkeypatch
):
    config.set_value("library_auto_tag", False)
    monkeypatch.setattr(scan_jobs, "PAGE_SIZE", 1)
    monkeypatch.setattr(scan_jobs, "CANCEL_CHECK_SECONDS", 0)
    real_enqueue_tags = scan_jobs.ScanRunner._enqueue_tags

    def enqueue_then_cancel(self, tracks, force):
        real_enqueue_tags(self, tracks, force)
        Job.objects.filter(kind="scan").update(cancel_requested=True)

    monkeypatch.setattr(scan_jobs.ScanRunner, "_enqueue_tags", enqueue_then_cancel)
    queued = queue_folder(str(Path(library.root_path) / "Album"))
    work_one()
    queued.refresh_from_db()
    assert queued.status == Job.Status.CANCELLED
    assert Job.objects.filter(kind="tag").count() == 1


def test_a_scan_job_reports_the_abandoned_temp_copies_it_removed(library, events):
    album = Path(library.root_path) / "Album"
    old = album / ".a.flac.0a1b2c3d.nomarr-tmp"
    old.write_bytes(b"an abandoned copy")
    two_hours_ago = time.time() - 2 * scanner.TEMP_FILE_MAX_AGE
    os.utime(old, (two_hours_ago, two_hours_ago))
    job = run_scan(library)
    assert job.status == Job.Status.DONE, job.error_message
    assert job.result["temp_files_removed"] == 1
    assert not old.exists()

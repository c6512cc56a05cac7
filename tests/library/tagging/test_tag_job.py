"""The `tag` job end to end: real Essentia inference on generated audio with generated models,
raw scores stored, tags written safely and read back with mutagen, and bad files failing alone."""

from __future__ import annotations

import os
import shutil

import mutagen
import pytest

from jobs.models import Job
from library.models import Track, TrackScore
from library.tagfiles.formats import detect_format
from library.tagfiles.payload import audio_payload_hash
from tests.support.audio import FORMATS

pytestmark = pytest.mark.django_db


def namespace_values(path, key="nom:version"):
    """Our tag's values read with plain mutagen, whatever the container."""
    audio = mutagen.File(path)
    tags = audio.tags
    fmt = detect_format(path)
    if fmt == "mp3":
        frame = tags.getall(f"TXXX:{key}")
        return list(frame[0].text) if frame else []
    if fmt == "m4a":
        values = tags.get(f"----:com.apple.iTunes:{key}", [])
        return [bytes(v).decode() for v in values]
    return list(tags.get(key, []))


def queue_all(key_holder, files, force=False):
    ids = []
    for path in files:
        response = key_holder.post(
            "/api/v1/tag", {"path": str(path), "force": force}, format="json"
        )
        assert response.status_code == 200, response.json()
        body = response.json()
        assert body["status"] == "queued" and body["blocking"] is False
        ids.append(body["job_id"])
    return ids


def test_tagging_every_format_writes_tags_and_keeps_the_audio(key_holder, music, run_jobs):
    files = list(music["files"].values())
    before = {p: audio_payload_hash(p, detect_format(p)) for p in files}
    ids = queue_all(key_holder, files)
    run_jobs()
    for job in Job.objects.filter(pk__in=ids):
        assert job.status == Job.Status.DONE, job.error_message
        assert job.result["status"] == "tagged"
    for path in files:
        assert audio_payload_hash(path, detect_format(path)) == before[path]
        version = namespace_values(path)
        assert version and version[0].startswith("p1-")  # pipeline version first
        assert namespace_values(path, "nom:mood_happy")
        track = Track.objects.get(path=str(path))
        assert track.tagged_version == version[0]
        assert track.analysed_size == os.path.getsize(path)
        scores = TrackScore.objects.filter(track=track)
        assert scores.filter(head="mood_happy").count() == 2  # both classes, by label
        happy = scores.get(head="mood_happy", label="happy")
        assert 0.0 <= happy.score_mean <= 1.0 and happy.score_std >= 0.0
        assert happy.model_sha256 and happy.pipeline_version


def test_a_file_already_tagged_with_the_current_suite_is_skipped(key_holder, music, run_jobs):
    path = music["files"]["flac"]
    queue_all(key_holder, [path])
    run_jobs()
    mtime = os.path.getmtime(path)
    (job_id,) = queue_all(key_holder, [path])
    run_jobs()
    job = Job.objects.get(pk=job_id)
    assert job.status == Job.Status.DONE
    assert job.result["status"] == "skipped"
    assert os.path.getmtime(path) == mtime
    (forced,) = queue_all(key_holder, [path], force=True)
    run_jobs()
    assert Job.objects.get(pk=forced).result["status"] == "tagged"


def test_a_tagged_file_whose_scores_are_not_stored_is_analysed_again(key_holder, music, run_jobs):
    """A new database over tagged files (or another server's tags): the version tag is current
    but nothing is stored to calibrate or re-tag from, so the file is analysed once more."""
    path = music["files"]["ogg"]
    queue_all(key_holder, [path])
    run_jobs()
    track = Track.objects.get(path=str(path))
    stored = TrackScore.objects.filter(track=track).count()
    TrackScore.objects.filter(track=track).delete()
    (job_id,) = queue_all(key_holder, [path])
    run_jobs()
    assert Job.objects.get(pk=job_id).result["status"] == "tagged"
    assert TrackScore.objects.filter(track=track).count() == stored


def test_changing_a_model_changes_the_version_and_retags(key_holder, music, run_jobs, tmp_path):
    from nomarr_site import config

    models = tmp_path / "models"
    shutil.copytree(config.get("models_dir"), models)
    config.set_value("models_dir", str(models))
    path = music["files"]["mp3"]
    queue_all(key_holder, [path])
    run_jobs()
    first = namespace_values(path)[0]
    from tests.support.graphs import EFFNET, write_head

    write_head(models, "mood_happy", EFFNET, ["happy", "non_happy"], seed=99)  # new weights
    (job_id,) = queue_all(key_holder, [path])
    run_jobs()
    job = Job.objects.get(pk=job_id)
    assert job.status == Job.Status.DONE, job.error_message
    assert job.result["status"] == "tagged"
    assert namespace_values(path)[0] != first


def test_write_mode_none_stores_scores_without_touching_the_file(key_holder, music, run_jobs):
    from nomarr_site import config

    config.set_value("file_write_mode", "none")
    path = music["files"]["ogg"]
    data = path.read_bytes()
    queue_all(key_holder, [path])
    run_jobs()
    assert path.read_bytes() == data
    assert TrackScore.objects.filter(track__path=str(path)).exists()


def test_minimal_mode_writes_only_tiers_and_version(key_holder, music, run_jobs):
    from nomarr_site import config

    config.set_value("file_write_mode", "minimal")
    path = music["files"]["m4a"]
    queue_all(key_holder, [path])
    run_jobs()
    assert namespace_values(path)
    assert namespace_values(path, "nom:mood_happy") == []


def test_bad_files_fail_alone_with_clear_messages(key_holder, music, run_jobs):
    album = music["album"]
    truncated = album / "truncated.mp3"
    truncated.write_bytes(music["files"]["mp3"].read_bytes()[:3000])
    text = album / "notes.flac"
    text.write_text("these are liner notes, not audio\n" * 20)
    read_only = album / "read-only.flac"
    shutil.copy(music["files"]["flac"], read_only)
    read_only.chmod(0o444)
    good = music["files"]["opus"]
    bad = [truncated, text, read_only]  # an empty file is refused when queued (test_entry_points)
    ids = dict(zip([*bad, good], queue_all(key_holder, [*bad, good]), strict=True))
    run_jobs()
    jobs = {path: Job.objects.get(pk=job_id) for path, job_id in ids.items()}
    assert jobs[good].status == Job.Status.DONE, jobs[good].error_message
    for path in bad:
        job = jobs[path]
        assert job.status == Job.Status.ERROR, (path, job.status)
        assert job.error_message and "Traceback" not in job.error_message
        assert "Failed:" not in job.error_message  # the user's words, not an exception class
    assert "read-only" in jobs[read_only].error_message
    assert read_only.read_bytes() == music["files"]["flac"].read_bytes()


def test_a_vanished_file_fails_the_job_with_a_clear_message(key_holder, music, run_jobs):
    path = music["files"]["flac"]
    (job_id,) = queue_all(key_holder, [path])
    path.unlink()
    run_jobs()
    job = Job.objects.get(pk=job_id)
    assert job.status == Job.Status.ERROR
    assert str(path) in job.error_message


def test_without_models_the_job_explains_how_to_get_them(key_holder, music, run_jobs, tmp_path):
    from nomarr_site import config

    config.set_value("models_dir", str(tmp_path / "no-models"))
    (job_id,) = queue_all(key_holder, [music["files"]["mp3"]])
    run_jobs()
    job = Job.objects.get(pk=job_id)
    assert job.status == Job.Status.ERROR
    assert "nom models fetch" in job.error_message


@pytest.mark.parametrize("fmt", FORMATS)
def test_stale_tags_of_ours_are_replaced_on_retag(key_holder, music, run_jobs, fmt):
    from library.tagfiles.writer import write_tags

    path = music["files"][fmt]
    write_tags(path, {"nom:stale_head": ["0.5"], "nom:version": ["old"]}, "nom")
    queue_all(key_holder, [path])
    run_jobs()
    assert namespace_values(path, "nom:stale_head") == []
    assert namespace_values(path)[0] != "old"


def test_a_regression_head_writes_and_stores_its_value(key_holder, music, run_jobs):
    # The suite's approachability_regression is shaped as Essentia publishes it: metadata
    # listing one class ("approachability") and a model/Identity output.
    path = music["files"]["flac"]
    (job_id,) = queue_all(key_holder, [path])
    run_jobs()
    assert Job.objects.get(pk=job_id).status == Job.Status.DONE

    (written,) = namespace_values(path, "nom:approachability_regression")
    score = TrackScore.objects.get(track__path=str(path), head="approachability_regression")
    assert score.label == ""  # a regression head's one row, as the model documents
    assert written == f"{score.score_mean:.4f}"
    assert float(written) == pytest.approx(score.score_mean, abs=5e-5)


def _outside_copy(source, tmp_path, name):
    """A file outside every library root, with an old mtime to prove it is never touched."""
    outside = tmp_path / "outside" / name
    outside.parent.mkdir(exist_ok=True)
    shutil.copyfile(source, outside)
    os.utime(outside, (1_000_000_000, 1_000_000_000))
    return outside


def _untouched(path, data):
    return path.read_bytes() == data and path.stat().st_mtime == 1_000_000_000


def queue_known(key_holder, music, path):
    """Queue a track the library has already scanned (its job finds the row by path)."""
    from library.scanning.scanner import scan_library

    scan_library(music["library"])
    assert Track.objects.filter(path=str(path)).exists()
    (job_id,) = queue_all(key_holder, [path])
    return job_id


@pytest.mark.parametrize("where", ["inside", "outside"])
def test_a_queued_track_swapped_for_a_symlink_is_refused_before_reading(
    key_holder, music, run_jobs, tmp_path, where
):
    path = music["files"]["flac"]
    if where == "inside":
        target = music["album"] / "Other.flac"
        shutil.copyfile(path, target)
        os.utime(target, (1_000_000_000, 1_000_000_000))
    else:
        target = _outside_copy(path, tmp_path, "precious.flac")
    data = target.read_bytes()
    job_id = queue_known(key_holder, music, path)
    path.unlink()
    path.symlink_to(target)

    run_jobs()

    job = Job.objects.get(pk=job_id)
    assert job.status == Job.Status.ERROR
    assert job.error_message == (
        f"{path} is now a symbolic link; Nomarr does not read or write through links"
    )
    assert path.is_symlink() and _untouched(target, data)
    assert not TrackScore.objects.filter(track__path=str(path)).exists()  # never analysed


def test_a_queued_track_whose_folder_now_leads_outside_the_roots_is_refused(
    key_holder, music, run_jobs, tmp_path
):
    path = music["files"]["mp3"]
    outside = _outside_copy(path, tmp_path, path.name)
    data = outside.read_bytes()
    job_id = queue_known(key_holder, music, path)
    shutil.rmtree(music["album"])
    music["album"].symlink_to(outside.parent, target_is_directory=True)

    run_jobs()

    job = Job.objects.get(pk=job_id)
    assert job.status == Job.Status.ERROR
    assert job.error_message == (
        f"{path} now leads outside every library root; Nomarr does not touch it"
    )
    assert _untouched(outside, data)


def test_a_track_swapped_for_a_symlink_during_analysis_is_not_written(
    key_holder, music, run_jobs, tmp_path, monkeypatch
):
    from library.tagging import tag_file as tagger

    path = music["files"]["ogg"]
    outside = _outside_copy(path, tmp_path, "precious.ogg")
    data = outside.read_bytes()
    real_run = tagger.TaggingPipeline.run

    def analyse_then_swap(self, *args, **kwargs):
        analysis = real_run(self, *args, **kwargs)
        path.unlink()
        path.symlink_to(outside)
        return analysis

    monkeypatch.setattr(tagger.TaggingPipeline, "run", analyse_then_swap)
    (job_id,) = queue_all(key_holder, [path])

    run_jobs()

    job = Job.objects.get(pk=job_id)
    assert job.status == Job.Status.ERROR
    assert "is now a symbolic link; Nomarr does not read or write through links" in (
        job.error_message
    )
    assert _untouched(outside, data)
    assert [n for n in os.listdir(music["album"]) if n.endswith(".nomarr-tmp")] == []


def test_a_path_queued_before_its_first_scan_and_then_swapped_for_a_symlink_is_refused(
    key_holder, music, run_jobs, tmp_path
):
    path = music["files"]["opus"]
    outside = _outside_copy(path, tmp_path, "precious.opus")
    data = outside.read_bytes()
    (job_id,) = queue_all(key_holder, [path])  # the library has not scanned it yet
    path.unlink()
    path.symlink_to(outside)

    run_jobs()

    job = Job.objects.get(pk=job_id)
    assert job.status == Job.Status.ERROR
    assert job.error_message.endswith("Nomarr does not read or write through links")
    assert _untouched(outside, data)

"""Applying a calibration without inference: tiers and the version's calibration part are
rewritten from stored scores, head values and other tags stay, unchanged files stay
byte-identical, and a file changed since it was analysed is refused and queued for tagging."""

from __future__ import annotations

import os
from pathlib import Path

import mutagen
import pytest
from mutagen.id3 import TMOO

from calibration.build import build
from calibration.recalibrate_job import apply, clear, queue_pages, status
from jobs.models import Job
from library.models import Library, Track, TrackScore
from library.scanning.scanner import scan_library
from library.tagfiles.moods import StandardMoods
from library.tagfiles.reader import read_tags
from library.tagfiles.writer import FileStamp, write_tags
from library.tagging import pipeline, steps
from library.tagging.tag_file import mark_tagged
from library.tagging.tag_values import PUBLISHED_MOODS
from nomarr_site import config
from tests.calibration.conftest import store_scores, uniform
from tests.support.audio import make_audio

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_inference(monkeypatch):
    """Any attempt to run a model fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("inference ran during recalibration")

    monkeypatch.setattr(pipeline.TaggingPipeline, "run", refuse)
    for name in dir(steps):
        if name.startswith(("run_", "embed", "infer")) and callable(getattr(steps, name)):
            monkeypatch.setattr(steps, name, refuse)


@pytest.fixture
def tagged(tmp_path):
    """Two real files tagged before any calibration (head values and version only), among
    100 more tracks that only have stored scores (the calibration's population)."""
    root = tmp_path / "music"
    files = [
        make_audio(root / "a.flac", seconds=1, frequency=330),
        make_audio(root / "b.mp3", seconds=1, frequency=440),
    ]
    library = Library.objects.create(name="Music", root_path=str(root))
    scan_library(library, [str(f) for f in files], recursive=False)
    happy = uniform(100)
    store_scores(
        library, {"mood_happy": {"happy": happy, "non_happy": [1 - v for v in happy]}}, start=10
    )
    raw = {"a.flac": 0.99, "b.mp3": 0.5}
    for path in files:
        track = Track.objects.get(path=str(path))
        value = raw[path.name]
        for label, score in (("happy", value), ("non_happy", 1 - value)):
            TrackScore.objects.create(
                track=track,
                head="mood_happy",
                label=label,
                score_mean=score,
                model_file="mood_happy-discogs-effnet-1.pb",
            )
        tags = {"nom:mood_happy": [f"{value:.4f}"], "nom:version": ["p1-abc;cal=none"]}
        written = write_tags(path, tags, "nom")
        mark_tagged(track, written.stamp, "p1-abc;cal=none", tags)
    return {str(f.name): f for f in files}


def run_all():
    from jobs.transport import work_one

    while work_one():
        pass


def test_apply_rewrites_tiers_and_the_calibration_version_only(tagged):
    build()

    assert apply()[0] == 2
    run_all()

    strong = read_tags(tagged["a.flac"], "nom").namespace
    assert strong["nom:mood_happy"] == ["0.9900"]  # the head value is untouched
    assert strong["nom:version"] == ["p1-abc;cal=1"]
    # happy: (0.99 - 0.0495) / 0.9 = 1.0 against non_happy 0.0 -> strict
    assert strong["nom:mood-strict"] == ["happy"]
    weak = read_tags(tagged["b.mp3"], "nom").namespace
    assert weak == {"nom:mood_happy": ["0.5000"], "nom:version": ["p1-abc;cal=1"]}
    track = Track.objects.get(path=str(tagged["a.flac"]))
    assert track.tagged_version == "p1-abc;cal=1"
    assert track.namespace_tags["nom:mood-strict"] == "happy"
    assert Job.objects.filter(kind="recalibrate", status=Job.Status.DONE).count() == 2


def test_a_second_apply_leaves_every_file_byte_identical(tagged):
    build()
    apply()
    run_all()
    before = {name: (Path(p).read_bytes(), os.stat(p).st_mtime_ns) for name, p in tagged.items()}

    apply()
    run_all()

    after = {name: (Path(p).read_bytes(), os.stat(p).st_mtime_ns) for name, p in tagged.items()}
    assert after == before
    results = Job.objects.filter(kind="recalibrate").order_by("-pk")[:2]
    assert {job.result["status"] for job in results} == {"unchanged"}


def test_a_file_changed_since_analysis_is_refused_and_queued_for_tagging(tagged):
    build()
    path = tagged["a.flac"]
    with open(path, "ab") as handle:
        handle.write(b"\0")
    before = Path(path).read_bytes()

    apply()
    run_all_but_tagging()

    job = Job.objects.get(kind="recalibrate", path=str(path))
    assert job.status == Job.Status.ERROR
    assert "changed since it was analysed" in job.error_message
    assert Path(path).read_bytes() == before
    assert Job.objects.filter(kind="tag", path=str(path)).exists()


def run_all_but_tagging():
    from jobs.transport import work_one

    Job.objects.filter(kind="tag").update(priority=0)
    while work_one():
        if Job.objects.filter(kind="tag", status=Job.Status.PENDING).exists() and not (
            Job.objects.filter(kind="recalibrate", status=Job.Status.PENDING).exists()
        ):
            return


def test_with_file_write_mode_none_nothing_is_written(tagged):
    build()
    config.set_value("file_write_mode", "none")
    before = Path(tagged["a.flac"]).read_bytes()

    apply()
    run_all()

    assert Path(tagged["a.flac"]).read_bytes() == before
    assert {j.result["status"] for j in Job.objects.filter(kind="recalibrate")} == {"skipped"}


def test_status_counts_the_calibration_queue_and_clear_cancels_what_is_pending(tagged):
    build()
    apply()
    queue_pages(lambda _queued: None)  # what the recalibrate_all job does

    assert status() == {
        "pending": 2,
        "running": 0,
        "completed": 0,
        "errors": 0,
        "worker_alive": False,
        "worker_busy": False,
    }
    assert clear() == 2
    assert status()["pending"] == 0


def raw_moods(path):
    """The standard mood field read with plain mutagen."""
    audio = mutagen.File(path)
    if str(path).endswith(".mp3"):
        return [str(t) for frame in audio.tags.getall("TMOO") for t in frame.text]
    if str(path).endswith(".m4a"):
        return [bytes(v).decode() for v in audio.tags.get("----:com.apple.iTunes:MOOD", [])]
    return list(audio.tags.get("MOOD", []))


def test_the_tiered_moods_also_go_to_the_standard_mood_field(tagged):
    build()

    apply()
    run_all()

    assert raw_moods(tagged["a.flac"]) == ["happy"]  # Vorbis MOOD
    assert raw_moods(tagged["b.mp3"]) == []  # no tier: no TMOO frame


def ours(*values: str) -> StandardMoods:
    return StandardMoods.of(values, PUBLISHED_MOODS)


def test_the_standard_mood_field_of_an_mp3_and_an_m4a(tmp_path):
    for name in ("x.mp3", "x.m4a", "x.opus"):
        path = make_audio(tmp_path / name, seconds=1)
        write_tags(path, {"nom:version": "v"}, "nom", moods=ours("happy", "party"))
        assert raw_moods(path) == ["happy", "party"]
        write_tags(path, {"nom:version": "v"}, "nom", moods=ours())
        assert raw_moods(path) == []


def put_moods(path: Path, values: list[str]) -> None:
    """The owner's own values in the standard mood field, written with plain mutagen."""
    audio = mutagen.File(path)
    if audio.tags is None:
        audio.add_tags()
    if path.suffix == ".mp3":
        audio.tags.add(TMOO(encoding=3, text=values))
    elif path.suffix == ".m4a":
        audio.tags["----:com.apple.iTunes:MOOD"] = [v.encode() for v in values]
    else:
        audio.tags["MOOD"] = values
    audio.save()


@pytest.mark.parametrize("name", ["x.mp3", "x.flac", "x.ogg", "x.opus", "x.m4a"])
def test_the_owners_own_moods_stay_in_the_standard_mood_field(tmp_path, name):
    path = make_audio(tmp_path / name, seconds=1)
    put_moods(path, ["Melancholic", "Party", "rainy day"])

    write_tags(path, {"nom:version": "v"}, "nom", moods=ours("happy"))
    # "Party" is a word Nomarr writes (mood_party), so it is Nomarr's to replace.
    assert raw_moods(path) == ["Melancholic", "rainy day", "happy"]

    write_tags(path, {"nom:version": "v"}, "nom", moods=ours("sad", "relaxed"))
    assert raw_moods(path) == ["Melancholic", "rainy day", "sad", "relaxed"]

    write_tags(path, {"nom:version": "v"}, "nom", moods=ours())
    assert raw_moods(path) == ["Melancholic", "rainy day"]


def test_applying_a_calibration_keeps_the_owners_moods_and_then_changes_nothing(tagged):
    path = tagged["a.flac"]
    put_moods(path, ["Melancholic"])
    track = Track.objects.get(path=str(path))
    mark_tagged(track, FileStamp.of(path), track.tagged_version)
    build()

    apply()
    run_all()
    assert raw_moods(path) == ["Melancholic", "happy"]

    before = path.read_bytes()
    apply()
    run_all()
    assert path.read_bytes() == before


def test_with_the_setting_off_the_standard_mood_field_is_left_alone(tagged):
    path = tagged["a.flac"]
    audio = mutagen.File(path)
    audio.tags["MOOD"] = ["mine"]
    audio.save()
    track = Track.objects.get(path=str(path))
    mark_tagged(track, FileStamp.of(path), track.tagged_version)
    config.set_value("mood_standard_tags", False)
    build()

    apply()
    run_all()

    assert raw_moods(path) == ["mine"]
    assert read_tags(path, "nom").namespace["nom:mood-strict"] == ["happy"]


def test_the_standard_mood_field_takes_the_chosen_tier(tagged):
    config.set_value("mood_standard_tier", "strict")
    build()

    apply()
    run_all()

    assert raw_moods(tagged["a.flac"]) == ["happy"]


def test_the_recalibrate_all_job_queues_a_job_per_file_with_progress(tagged):
    build()
    count, job = apply()
    assert apply()[1].pk == job.pk  # one fan-out at a time

    run_all()

    job.refresh_from_db()
    assert count == 2 and job.status == Job.Status.DONE
    assert job.result == {"queued": 2} and job.progress_fraction == 1.0
    assert Job.objects.filter(kind="recalibrate").count() == 2


def test_clear_also_cancels_the_fan_out_that_has_not_run(tagged):
    build()
    _count, job = apply()

    clear()

    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert "Cleared" in job.error_message

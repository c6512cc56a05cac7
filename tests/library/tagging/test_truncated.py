"""Files cut off inside their audio frames: they pass the structure check and decode quietly to
less audio than their header announces, so the tagger must refuse them before storing scores
or writing tags; headers that only estimate a duration must not raise false alarms."""

from __future__ import annotations

import re

import pytest

from jobs.models import Job
from library.models import Track, TrackScore
from library.tagfiles.reader import read_tags
from library.tagging.steps import is_cut_short
from library.tagging.tag_file import exact_duration
from tests.support.audio import FORMATS, make_audio


def truncated_message(name: str, announced: str) -> str:
    """A pattern for the error of a truncated file, as the job reports it."""
    return (
        rf"Cannot tag .*/{re.escape(name)}: the file looks truncated: it decodes to \d+\.\d s "
        rf"of audio but its header announces {re.escape(announced)} s"
    )


# A tone at 48 kHz and 128 kbit/s codes into MP3 frames of exactly 384 bytes; without an ID3
# tag the file is a run of such frames, the first one holding the Info header (frame count).
MP3_WITH_INFO = ["-c:a", "libmp3lame", "-b:a", "128k", "-id3v2_version", "0"]
MP3_FRAME_BYTES = 384
# Silence, then noise: a VBR encoder codes the first frame at the lowest bitrate, so mutagen's
# estimate (file size / first frame's bitrate) of a file without a Xing header is far too long.
SILENCE_THEN_NOISE = "anoisesrc=d=6:a=0.5:seed=1,volume=enable='lt(t,1)':volume=0"
VBR_WITHOUT_XING = ["-c:a", "libmp3lame", "-q:a", "2", "-write_xing", "0"]
CBR_WITHOUT_XING = ["-c:a", "libmp3lame", "-b:a", "128k", "-write_xing", "0"]


@pytest.fixture
def album(db, tmp_path, models_dir):
    """A folder inside a library root, with the generated models configured."""
    from library.models import Library
    from nomarr_site import config

    root = tmp_path / "music"
    album = root / "Artist" / "Album"
    album.mkdir(parents=True)
    Library.objects.create(name="Music", root_path=str(root))
    config.set_value("models_dir", str(models_dir))
    return album


def tag(client, path) -> Job:
    """Queue a `tag` job for `path` and run the queue as a worker would."""
    from jobs.transport import work_one

    response = client.post("/api/v1/tag", {"path": str(path)}, format="json")
    assert response.status_code == 200, response.json()
    for _ in range(10):
        if not work_one():
            break
    return Job.objects.get(pk=response.json()["job_id"])


def assert_refused_untouched(job: Job, path, data: bytes) -> None:
    assert job.status == Job.Status.ERROR, job.result
    assert "Traceback" not in job.error_message
    assert path.read_bytes() == data
    track = Track.objects.get(path=str(path))
    assert not TrackScore.objects.filter(track=track).exists()
    assert not track.tagged_version


@pytest.mark.parametrize(
    ("decoded", "announced", "cut_short"),
    [
        (10.0, 10.0, False),
        (10.4, 10.0, False),  # priming samples may make the decode longer
        (9.0, 10.0, False),  # short header: the 1 s margin, at its edge
        (8.99, 10.0, True),
        (29.0, 30.0, False),  # 2 % would be 0.6 s: the 1 s margin is the larger
        (28.99, 30.0, True),
        (98.0, 100.0, False),  # long header: the 2 % margin, at its edge
        (98.5, 100.0, False),
        (97.99, 100.0, True),
        (61.2, 240.0, True),
    ],
)
def test_a_decode_is_cut_short_only_beyond_the_larger_margin(decoded, announced, cut_short):
    assert is_cut_short(decoded, announced) is cut_short


def test_a_flac_cut_off_inside_its_frames_fails_tagging_and_is_left_untouched(album, key_holder):
    path = make_audio(album / "cut.flac", seconds=10)
    data = path.read_bytes()[: path.stat().st_size // 2]
    path.write_bytes(data)
    # The structure check passes and STREAMINFO still announces the whole track.
    assert read_tags(path, check_structure=True).duration == 10.0

    job = tag(key_holder, path)

    assert_refused_untouched(job, path, data)
    assert re.search(truncated_message("cut.flac", "10.0"), job.error_message), job.error_message


@pytest.mark.parametrize("fmt", ["flac", "m4a"])
def test_intact_files_with_exact_header_durations_still_tag(album, key_holder, fmt):
    path = make_audio(album / f"whole.{fmt}", seconds=10)

    job = tag(key_holder, path)

    assert job.status == Job.Status.DONE, job.error_message
    assert job.result["status"] == "tagged" and job.result["written"]


def test_an_mp3_cut_at_a_frame_boundary_is_caught_by_its_info_frame_count(album, key_holder):
    path = make_audio(album / "cut.mp3", seconds=10, sample_rate=48000, codec_args=MP3_WITH_INFO)
    whole = path.read_bytes()
    assert len(whole) % MP3_FRAME_BYTES == 0  # frames only, so the cut below is on a boundary
    data = whole[: len(whole) // MP3_FRAME_BYTES // 2 * MP3_FRAME_BYTES]
    path.write_bytes(data)
    assert read_tags(path, check_structure=True).duration == pytest.approx(10.0, abs=0.1)

    job = tag(key_holder, path)

    assert_refused_untouched(job, path, data)
    assert re.search(truncated_message("cut.mp3", "10.0"), job.error_message), job.error_message


@pytest.mark.parametrize("codec_args", [VBR_WITHOUT_XING, CBR_WITHOUT_XING], ids=["vbr", "cbr"])
def test_an_mp3_without_a_frame_count_is_not_held_to_its_estimated_length(
    album, key_holder, codec_args
):
    path = make_audio(album / "no-count.mp3", source=SILENCE_THEN_NOISE, codec_args=codec_args)
    file_tags = read_tags(path, check_structure=True)
    assert exact_duration(file_tags) is None
    if codec_args is VBR_WITHOUT_XING:
        # The estimate is three times the real 6 s: comparing with it would refuse the file.
        assert file_tags.duration > 12

    job = tag(key_holder, path)

    assert job.status == Job.Status.DONE, job.error_message
    assert job.result["status"] == "tagged"


@pytest.mark.parametrize("fmt", FORMATS)
def test_only_exact_header_durations_are_used(tracks, fmt):
    file_tags = read_tags(tracks[fmt], check_structure=True)

    announced = exact_duration(file_tags)

    if fmt in ("ogg", "opus"):
        assert announced is None  # the last page's granule already tells where the file ends
    else:  # FLAC STREAMINFO, M4A mdhd, and the Info frame ffmpeg writes into its MP3s
        assert announced == file_tags.duration
        assert announced == pytest.approx(6.0, abs=0.05)

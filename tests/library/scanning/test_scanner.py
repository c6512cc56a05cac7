"""The scanner on real generated audio: every format's stream info and tags, unchanged
rescans that open no file, moves, changes, clean_missing, progress and cancellation."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import mutagen
import pytest
from mutagen.id3 import TXXX, UFID
from mutagen.mp4 import MP4FreeForm

from library.models import Library, Track, TrackScore
from library.paths import OutsideRoots
from library.scanning import scanner
from library.scanning.scanner import ScanHooks, scan_library
from nomarr_site import config
from tests.support.audio import make_audio

pytestmark = pytest.mark.django_db

FORMATS = ("mp3", "flac", "ogg", "opus", "m4a", "wav")
TAGS = {
    "title": "Song",
    "artist": "Band",
    "album_artist": "Band",
    "album": "Record",
    "track": "3/12",
    "disc": "1/2",
    "date": "2019-05-01",
    "genre": "Rock",
}
MB = {
    "recording": "11111111-1111-1111-1111-111111111111",
    "track": "22222222-2222-2222-2222-222222222222",
    "album": "33333333-3333-3333-3333-333333333333",
    "artist": "44444444-4444-4444-4444-444444444444",
}


def add_ids_and_namespace_tags(path: Path, namespace: str = "nom") -> None:
    """MusicBrainz ids and two namespace tags, the way Picard and Nomarr write them."""
    audio = mutagen.File(path)
    ext = path.suffix
    if ext == ".mp3":
        audio.tags.add(UFID(owner="http://musicbrainz.org", data=MB["recording"].encode()))
        for desc, key in (("Release Track", "track"), ("Album", "album"), ("Artist", "artist")):
            audio.tags.add(TXXX(encoding=3, desc=f"MusicBrainz {desc} Id", text=[MB[key]]))
        audio.tags.add(TXXX(encoding=3, desc=f"{namespace}:mood_happy", text=["0.8"]))
        audio.tags.add(TXXX(encoding=3, desc=f"{namespace}:version", text=["v1"]))
    elif ext == ".m4a":
        names = {"recording": "Track", "track": "Release Track", "album": "Album"}
        names["artist"] = "Artist"
        for key, name in names.items():
            atom = f"----:com.apple.iTunes:MusicBrainz {name} Id"
            audio.tags[atom] = [MP4FreeForm(MB[key].encode())]
        audio.tags[f"----:com.apple.iTunes:{namespace}:mood_happy"] = [MP4FreeForm(b"0.8")]
        audio.tags[f"----:com.apple.iTunes:{namespace}:version"] = [MP4FreeForm(b"v1")]
    else:
        audio["musicbrainz_trackid"] = MB["recording"]
        audio["musicbrainz_releasetrackid"] = MB["track"]
        audio["musicbrainz_albumid"] = MB["album"]
        audio["musicbrainz_artistid"] = MB["artist"]
        audio[f"{namespace}:mood_happy"] = "0.8"
        audio[f"{namespace}:version"] = "v1"
    audio.save()


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("templates")
    made = {}
    for fmt in FORMATS:
        made[fmt] = make_audio(folder / f"song.{fmt}", seconds=2.0, tags=TAGS)
        if fmt != "wav":
            add_ids_and_namespace_tags(made[fmt])
    other = make_audio(folder / "other.mp3", seconds=1.0, frequency=660, tags={"title": "Other"})
    made["other"] = other
    return made


@pytest.fixture
def library(tmp_path) -> Library:
    root = tmp_path / "music"
    root.mkdir()
    return Library.objects.create(name="Music", root_path=str(root))


def put(library: Library, templates: dict, fmt: str, relative: str) -> Path:
    target = Path(library.root_path) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(templates[fmt], target)
    return target


@pytest.fixture
def count_mutagen(monkeypatch):
    calls = []
    real = mutagen.File

    def counting(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(mutagen, "File", counting)
    return calls


def test_a_first_scan_stores_every_format_with_stream_info_and_common_tags(library, templates):
    for fmt in FORMATS:
        put(library, templates, fmt, f"Band/Record/song.{fmt}")
    summary = scan_library(library)
    assert summary.counters() == {
        "scanned": 6, "added": 6, "updated": 0, "unchanged": 0, "moved": 0, "removed": 0,
        "errors": 0,
    }  # fmt: skip
    assert sorted(Track.objects.values_list("format", flat=True)) == sorted(FORMATS)
    for track in Track.objects.all():
        assert track.is_readable, track.read_error
        assert track.relative_path == f"Band/Record/song.{track.format}"
        assert track.duration == pytest.approx(2.0, abs=0.1)
        assert track.channels == 2
        assert track.sample_rate == (48000 if track.format == "opus" else 44100)
        assert track.bitrate > 0
        assert track.size == os.path.getsize(track.path)
        if track.format == "wav":
            continue  # RIFF files carry no tags from ffmpeg
        assert (track.title, track.artist, track.album, track.album_artist) == (
            "Song", "Band", "Record", "Band",
        )  # fmt: skip
        assert (track.track_number, track.disc_number, track.year) == (3, 1, 2019)
        assert track.genre == "Rock"
    codecs = dict(Track.objects.values_list("format", "codec"))
    assert codecs == {
        "mp3": "mp3", "flac": "flac", "ogg": "vorbis", "opus": "opus", "m4a": "aac", "wav": "pcm",
    }  # fmt: skip
    assert sorted(summary.changed_track_ids) == sorted(Track.objects.values_list("id", flat=True))


@pytest.mark.parametrize("fmt", ["mp3", "flac", "ogg", "opus", "m4a"])
def test_musicbrainz_ids_and_namespace_tags_are_read(library, templates, fmt):
    put(library, templates, fmt, f"song.{fmt}")
    scan_library(library)
    track = Track.objects.get()
    assert track.musicbrainz_recording_id == MB["recording"]
    assert track.musicbrainz_track_id == MB["track"]
    assert track.musicbrainz_album_id == MB["album"]
    assert track.musicbrainz_artist_id == MB["artist"]
    assert track.namespace_tags == {"nom:mood_happy": "0.8", "nom:version": "v1"}


def test_namespace_tags_follow_the_namespace_setting(library, templates):
    config.set_value("namespace", "mine")
    put(library, templates, "flac", "song.flac")
    scan_library(library)
    assert Track.objects.get().namespace_tags == {}


def test_an_unchanged_rescan_opens_no_file_with_mutagen(library, templates, count_mutagen):
    for fmt in FORMATS:
        put(library, templates, fmt, f"song.{fmt}")
    scan_library(library)
    assert len(count_mutagen) == 6
    count_mutagen.clear()
    summary = scan_library(library)
    assert count_mutagen == []
    assert (summary.scanned, summary.unchanged, summary.added, summary.updated) == (6, 6, 0, 0)
    assert summary.changed_track_ids == []


def test_a_changed_file_is_read_again_and_counted_as_updated(library, templates, count_mutagen):
    path = put(library, templates, "mp3", "song.mp3")
    put(library, templates, "flac", "song.flac")
    scan_library(library)
    track_id = Track.objects.get(format="mp3").id
    shutil.copy(templates["other"], path)  # new content and a new mtime
    count_mutagen.clear()
    summary = scan_library(library)
    assert count_mutagen == [str(path)]
    assert (summary.updated, summary.unchanged) == (1, 1)
    assert summary.changed_track_ids == [track_id]
    track = Track.objects.get(id=track_id)
    assert track.title == "Other"
    assert track.size == path.stat().st_size


def test_force_rereads_unchanged_files(library, templates, count_mutagen):
    put(library, templates, "ogg", "song.ogg")
    scan_library(library)
    count_mutagen.clear()
    summary = scan_library(library, force=True)
    assert len(count_mutagen) == 1
    assert (summary.updated, summary.unchanged) == (1, 0)


def test_a_moved_file_keeps_its_row_and_its_scores(library, templates):
    path = put(library, templates, "flac", "Old/song.flac")
    scan_library(library)
    track = Track.objects.get()
    TrackScore.objects.create(track=track, head="mood_happy", label="happy", score_mean=0.7,
                              model_file="mood_happy-discogs-effnet-1.pb")  # fmt: skip
    target = Path(library.root_path) / "New" / "renamed.flac"
    target.parent.mkdir()
    os.rename(path, target)
    summary = scan_library(library, clean_missing=True)
    assert (summary.moved, summary.added, summary.removed) == (1, 0, 0)
    moved = Track.objects.get()
    assert moved.id == track.id
    assert moved.path == str(target)
    assert moved.relative_path == "New/renamed.flac"
    assert moved.scores.count() == 1
    assert summary.changed_track_ids == []


def test_a_copy_is_a_new_track_not_a_move(library, templates):
    put(library, templates, "mp3", "a/song.mp3")
    scan_library(library)
    put(library, templates, "mp3", "b/song.mp3")  # same size and mtime, but the original stays
    summary = scan_library(library)
    assert (summary.added, summary.moved) == (1, 0)
    assert Track.objects.count() == 2


def test_clean_missing_forgets_deleted_files_only_under_the_scanned_paths(library, templates):
    gone_a = put(library, templates, "mp3", "A/gone.mp3")
    put(library, templates, "flac", "A/kept.flac")
    gone_b = put(library, templates, "ogg", "B/gone.ogg")
    scan_library(library)
    gone_a.unlink()
    gone_b.unlink()
    summary = scan_library(library, [str(Path(library.root_path) / "A")], clean_missing=True)
    assert summary.removed == 1
    assert sorted(Track.objects.values_list("relative_path", flat=True)) == [
        "A/kept.flac",
        "B/gone.ogg",
    ]


def test_without_clean_missing_deleted_files_keep_their_rows(library, templates):
    path = put(library, templates, "mp3", "gone.mp3")
    scan_library(library)
    path.unlink()
    summary = scan_library(library)
    assert summary.removed == 0
    assert Track.objects.count() == 1


def test_a_non_recursive_scan_reads_only_the_folder_itself(library, templates):
    put(library, templates, "mp3", "top.mp3")
    deep = put(library, templates, "flac", "Sub/deep.flac")
    scan_library(library)
    deep.unlink()
    summary = scan_library(library, recursive=False, force=True, clean_missing=True)
    assert (summary.scanned, summary.removed) == (1, 0)
    assert Track.objects.count() == 2


def test_a_single_file_can_be_scanned(library, templates):
    put(library, templates, "mp3", "a.mp3")
    one = put(library, templates, "m4a", "b.m4a")
    summary = scan_library(library, [str(one)])
    assert summary.added == 1
    assert Track.objects.get().path == str(one)


def test_other_files_are_ignored(library, templates):
    put(library, templates, "mp3", "a.mp3")
    (Path(library.root_path) / "cover.jpg").write_bytes(b"\xff\xd8")
    (Path(library.root_path) / "notes.txt").write_text("hello")
    assert scan_library(library).scanned == 1


def test_a_scan_path_outside_the_library_is_refused(library, tmp_path):
    with pytest.raises(OutsideRoots):
        scan_library(library, [str(tmp_path)])


def test_chunked_writes_store_every_file(library, templates, monkeypatch):
    monkeypatch.setattr(scanner, "CHUNK_SIZE", 2)
    for index in range(5):
        put(library, templates, "mp3", f"song{index}.mp3")
    summary = scan_library(library)
    assert (summary.added, Track.objects.count()) == (5, 5)
    assert scan_library(library).unchanged == 5


def test_progress_is_reported_and_ends_at_one(library, templates, monkeypatch):
    monkeypatch.setattr(scanner, "PROGRESS_EVERY", 1)
    for index in range(3):
        put(library, templates, "mp3", f"song{index}.mp3")
    seen = []
    scan_library(library, hooks=ScanHooks(progress=lambda s, f, n: seen.append((s.scanned, f, n))))
    assert [scanned for scanned, _, _ in seen] == [1, 2, 3, 3]
    assert seen[-1][1] == 1.0
    assert all(0 <= fraction < 1 for _, fraction, _ in seen[:-1])
    assert {total for _, _, total in seen} == {3}


def test_a_checkpoint_that_raises_stops_the_scan(library, templates):
    for index in range(3):
        put(library, templates, "mp3", f"song{index}.mp3")

    class Stop(Exception):
        pass

    def stop():
        raise Stop

    with pytest.raises(Stop):
        scan_library(library, hooks=ScanHooks(checkpoint=stop))
    assert Track.objects.count() == 0


def test_changed_tracks_are_handed_to_on_changed(library, templates):
    put(library, templates, "mp3", "a.mp3")
    (Path(library.root_path) / "broken.flac").write_text("not audio")
    handed = []
    scan_library(library, hooks=ScanHooks(on_changed=handed.extend))
    assert [t.relative_path for t in handed] == ["a.mp3"]
    assert all(t.pk for t in handed)


def test_clean_missing_forgets_nothing_when_the_folder_is_empty_as_an_unmounted_share_is(
    library, templates
):
    """An unmounted share leaves an empty mount point: the tracks and their scores stay."""
    put(library, templates, "mp3", "A/one.mp3")
    put(library, templates, "flac", "B/two.flac")
    scan_library(library)
    for child in Path(library.root_path).iterdir():
        shutil.rmtree(child)  # what the mount point shows once the share is gone

    summary = scan_library(library, clean_missing=True)

    assert summary.removed == 0 and Track.objects.count() == 2
    [problem] = summary.problems
    assert "unmounted share" in problem["reason"]


def test_clean_missing_forgets_every_file_of_a_folder_that_still_holds_something(
    library, templates
):
    put(library, templates, "mp3", "A/one.mp3")
    put(library, templates, "flac", "B/two.flac")
    scan_library(library)
    shutil.rmtree(Path(library.root_path) / "A")
    shutil.rmtree(Path(library.root_path) / "B")
    (Path(library.root_path) / "cover.jpg").write_bytes(b"not audio")

    assert scan_library(library, clean_missing=True).removed == 2

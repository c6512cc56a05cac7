"""Reading common and namespace tags from every format, and the audio payload hash covering the
audio (and only the audio) of each container."""

from __future__ import annotations

import mutagen
import pytest
from mutagen.id3 import TXXX, UFID

from library.tagfiles.errors import (
    EmptyFile,
    FileVanished,
    NotAudio,
    TruncatedAudio,
    UnsupportedFormat,
)
from library.tagfiles.formats import detect_format, is_opus
from library.tagfiles.payload import audio_payload_hash
from library.tagfiles.reader import read_tags
from library.tagfiles.writer import write_tags
from tests.support.audio import FORMATS

CODECS = {"mp3": "mp3", "flac": "flac", "ogg": "vorbis", "opus": "opus", "m4a": "aac"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_common_tags_and_stream_info_are_read_from_every_format(audio_copy, fmt):
    tags = read_tags(audio_copy(fmt))

    assert (tags.artist, tags.album, tags.title) == ("Ann Artist", "First Album", "Opening Song")
    assert (tags.track_number, tags.track_total) == (3, 9)
    assert tags.disc_number == 1
    assert tags.year == 2001
    assert tags.genres == ["Rock"]
    assert tags.format == fmt and tags.codec == CODECS[fmt]
    assert 3.9 < tags.duration < 4.2
    assert tags.channels == 2
    assert tags.sample_rate == (48000 if fmt == "opus" else 44100)
    assert tags.namespace == {}


@pytest.mark.parametrize("fmt", FORMATS)
def test_our_namespace_tags_are_read_back(audio_copy, fmt):
    path = audio_copy(fmt)
    write_tags(path, {"nom:mood-loose": ["happy", "sad"], "nom:version": "v"})

    tags = read_tags(path, check_structure=True)

    assert tags.namespace == {"nom:mood-loose": ["happy", "sad"], "nom:version": ["v"]}


def test_musicbrainz_ids_are_read_from_id3(audio_copy):
    path = audio_copy("mp3")
    audio = mutagen.File(path)
    audio.tags.add(UFID(owner="http://musicbrainz.org", data=b"rec-1"))
    audio.tags.add(TXXX(encoding=3, desc="MusicBrainz Album Id", text=["alb-1"]))
    audio.save()

    assert read_tags(path).musicbrainz == {"recording_id": "rec-1", "album_id": "alb-1"}


def test_musicbrainz_ids_are_read_from_vorbis_comments(audio_copy):
    path = audio_copy("flac")
    audio = mutagen.File(path)
    audio.tags["MUSICBRAINZ_TRACKID"] = "rec-2"
    audio.tags["musicbrainz_releasegroupid"] = "rg-2"
    audio.save()

    assert read_tags(path).musicbrainz == {"recording_id": "rec-2", "release_group_id": "rg-2"}


def test_bad_files_raise_specific_errors(tmp_path):
    (tmp_path / "empty.mp3").touch()
    (tmp_path / "text.ogg").write_text("hello " * 100)
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(EmptyFile):
        read_tags(tmp_path / "empty.mp3")
    with pytest.raises(NotAudio):
        read_tags(tmp_path / "text.ogg")
    with pytest.raises(UnsupportedFormat, match="'.txt' files are not supported"):
        read_tags(tmp_path / "notes.txt")
    with pytest.raises(FileVanished):
        read_tags(tmp_path / "missing.flac")


def test_an_ogg_file_holding_opus_is_read_as_opus(audio_copy):
    path = audio_copy("opus")
    renamed = path.rename(path.with_suffix(".ogg"))

    assert detect_format(renamed) == "opus"


def test_opus_is_recognised_by_its_content_whatever_the_suffix(audio_copy, tmp_path):
    opus = audio_copy("opus")
    assert is_opus(opus.rename(opus.with_suffix(".mp3")))
    assert not is_opus(audio_copy("ogg"))  # Ogg Vorbis
    impostor = tmp_path / "notes.opus"
    impostor.write_bytes(b"OpusHead is not enough without an Ogg page")
    assert not is_opus(impostor)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_payload_hash_changes_when_the_audio_changes(audio_copy, fmt):
    path = audio_copy(fmt)
    before = audio_payload_hash(path, fmt)
    data = bytearray(path.read_bytes())
    # A byte in the middle of the file is audio data in every one of these containers
    # (M4A from ffmpeg puts mdat before moov).
    middle = len(data) // 2
    data[middle] ^= 0xFF
    path.write_bytes(bytes(data))

    assert audio_payload_hash(path, fmt) != before


@pytest.mark.parametrize("fmt", ["ogg", "opus", "m4a", "mp3"])
def test_a_truncated_file_is_reported_as_truncated(audio_copy, fmt):
    path = audio_copy(fmt)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * 0.6) + 3])

    with pytest.raises(TruncatedAudio, match="truncated"):
        audio_payload_hash(path, fmt)


def test_a_flac_cut_inside_its_metadata_is_reported_as_truncated(audio_copy):
    path = audio_copy("flac")
    path.write_bytes(path.read_bytes()[:30])

    with pytest.raises(TruncatedAudio):
        audio_payload_hash(path, "flac")

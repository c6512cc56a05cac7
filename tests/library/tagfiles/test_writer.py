"""Safe tag writing: tags read back with mutagen, audio payload unchanged, every other tag kept,
stale keys of ours removed, and every refusal or crash leaves the original intact."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import mutagen
import pytest
from mutagen.id3 import ID3, TXXX
from mutagen.mp4 import MP4, MP4FreeForm

from library.tagfiles import formats, writer
from library.tagfiles.errors import (
    EmptyFile,
    FileChanged,
    FileNotWritable,
    FileVanished,
    NotAudio,
    OutsideLibrary,
    SymlinkRefused,
    TruncatedAudio,
    VerificationFailed,
)
from library.tagfiles.formats import detect_format
from library.tagfiles.payload import audio_payload_hash
from library.tagfiles.writer import TEMP_SUFFIX, FileStamp, cleanup_stale_temp_files, write_tags
from tests.support.audio import FORMATS

TAGS = {
    "nom:mood_happy": "0.8123",
    "nom:mood-strict": ["happy", "party"],
    "nom:version": "p1-abc;cal=none",
}


def raw_namespace(path: Path, fmt: str) -> dict[str, list[str]]:
    """Our tags as plain mutagen sees them, independent of library.tagfiles.formats."""
    if fmt == "mp3":
        return {f.desc: list(f.text) for f in ID3(path).getall("TXXX") if f.desc.startswith("nom:")}
    if fmt == "m4a":
        prefix = "----:com.apple.iTunes:nom:"
        tags = MP4(path).tags
        return {
            k[22:]: [bytes(v).decode() for v in vs]
            for k, vs in tags.items()
            if k.startswith(prefix)
        }
    found: dict[str, list[str]] = {}
    for key, value in mutagen.File(path).tags:
        if key.lower().startswith("nom:"):
            found.setdefault(key.lower(), []).append(value)
    return found


def temp_files(folder: Path) -> list[str]:
    return [name for name in os.listdir(folder) if name.endswith(TEMP_SUFFIX)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_written_tags_read_back_with_mutagen_and_the_audio_payload_is_identical(audio_copy, fmt):
    path = audio_copy(fmt)
    before = audio_payload_hash(path, detect_format(path))

    result = write_tags(path, TAGS, expected=FileStamp.of(path))

    assert raw_namespace(path, fmt) == {
        "nom:mood_happy": ["0.8123"],
        "nom:mood-strict": ["happy", "party"],
        "nom:version": ["p1-abc;cal=none"],
    }
    assert audio_payload_hash(path, detect_format(path)) == before == result.payload_sha256
    assert result.stamp == FileStamp.of(path)
    assert temp_files(path.parent) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_retagging_removes_our_stale_keys_and_leaves_every_other_tag_alone(audio_copy, fmt):
    path = audio_copy(fmt)
    audio = mutagen.File(path)
    if fmt == "mp3":
        audio.tags.add(TXXX(encoding=3, desc="other:thing", text=["keep me"]))
    elif fmt == "m4a":
        audio.tags["----:com.apple.iTunes:other:thing"] = [MP4FreeForm(b"keep me")]
    else:
        audio.tags["other:thing"] = ["keep me"]
        audio.tags["NOM:legacy"] = ["old upper-case key of ours"]
    audio.save()
    write_tags(path, TAGS)

    result = write_tags(path, {"nom:version": "p2-def;cal=none"})

    assert raw_namespace(path, fmt) == {"nom:version": ["p2-def;cal=none"]}
    assert "nom:mood_happy" in result.removed
    reread = mutagen.File(path)
    if fmt == "mp3":
        assert reread.tags["TXXX:other:thing"].text == ["keep me"]
        assert str(reread.tags["TPE1"]) == "Ann Artist"
    elif fmt == "m4a":
        assert bytes(reread.tags["----:com.apple.iTunes:other:thing"][0]) == b"keep me"
        assert reread.tags["\xa9ART"] == ["Ann Artist"]
    else:
        assert reread.tags["other:thing"] == ["keep me"]
        assert reread.tags["artist"] == ["Ann Artist"]


def test_permissions_are_kept_and_the_mtime_is_new_by_default(audio_copy):
    path = audio_copy("flac")
    os.chmod(path, 0o640)
    os.utime(path, (1_000_000_000, 1_000_000_000))

    write_tags(path, TAGS)

    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert path.stat().st_mtime > 1_000_000_000


def test_the_preserve_mtime_policy_keeps_the_original_modification_time(audio_copy):
    path = audio_copy("ogg")
    os.utime(path, (1_000_000_000, 1_000_000_000))

    result = write_tags(path, TAGS, mtime_policy="preserve")

    assert path.stat().st_mtime == 1_000_000_000
    assert result.stamp.mtime == 1_000_000_000


def test_a_symlink_is_refused_and_its_target_left_alone(audio_copy):
    target = audio_copy("mp3")
    os.utime(target, (1_000_000_000, 1_000_000_000))
    data = target.read_bytes()
    link = target.parent / "link.mp3"
    link.symlink_to(target)

    with pytest.raises(SymlinkRefused, match="symbolic link; Nomarr does not read or write"):
        write_tags(link, TAGS)

    assert link.is_symlink()
    assert target.read_bytes() == data and target.stat().st_mtime == 1_000_000_000
    assert temp_files(target.parent) == []


def test_a_link_swapped_in_during_the_write_is_refused_and_its_target_untouched(
    audio_copy, tmp_path, monkeypatch
):
    path = audio_copy("flac")
    outside = tmp_path / "outside" / "precious.flac"
    outside.parent.mkdir()
    outside.write_bytes(path.read_bytes())
    os.utime(outside, (1_000_000_000, 1_000_000_000))
    real_save = formats.save

    def save_then_swap(audio, fmt):
        real_save(audio, fmt)
        path.unlink()  # the last moment: after the copy, before the replace
        path.symlink_to(outside)

    monkeypatch.setattr(formats, "save", save_then_swap)

    with pytest.raises(SymlinkRefused, match="is now a symbolic link"):
        write_tags(path, TAGS)

    assert path.is_symlink()
    assert outside.read_bytes() == path.read_bytes()
    assert outside.stat().st_mtime == 1_000_000_000
    assert raw_namespace(outside, "flac") == {}
    assert temp_files(path.parent) == []


def test_another_file_put_in_place_with_the_same_size_and_mtime_is_refused(audio_copy):
    path = audio_copy("ogg")
    analysed = FileStamp.of(path)
    impostor = path.with_name("impostor.ogg")
    shutil.copy2(path, impostor)  # same bytes, size and mtime; another inode
    os.replace(impostor, path)

    with pytest.raises(FileChanged, match="changed since it was analysed"):
        write_tags(path, TAGS, expected=analysed)


@pytest.mark.django_db
def test_confined_to_the_roots_a_file_outside_every_library_root_is_refused(audio_copy, tmp_path):
    from library.models import Library
    from library.tagfiles.roots import confine_to_roots

    inside = audio_copy("m4a")
    (tmp_path / "elsewhere").mkdir()
    Library.objects.create(name="Music", root_path=str(inside.parent))
    outside = tmp_path / "elsewhere" / "song.m4a"
    shutil.copyfile(inside, outside)
    data = outside.read_bytes()

    with pytest.raises(OutsideLibrary, match="leads outside every library root"):
        write_tags(outside, TAGS, confine=confine_to_roots)

    assert outside.read_bytes() == data
    write_tags(inside, TAGS, confine=confine_to_roots)
    assert raw_namespace(inside, "m4a")["nom:version"] == ["p1-abc;cal=none"]


def test_a_read_only_file_is_refused_with_a_clear_message(audio_copy):
    path = audio_copy("mp3")
    original = path.read_bytes()
    os.chmod(path, 0o444)

    with pytest.raises(FileNotWritable, match="read-only"):
        write_tags(path, TAGS)

    assert path.read_bytes() == original


def test_a_vanished_file_is_refused_with_a_clear_message(tmp_path):
    with pytest.raises(FileVanished, match="no longer exists"):
        write_tags(tmp_path / "gone.flac", TAGS)


def test_a_truncated_mp3_is_refused_with_a_clear_message(audio_copy):
    path = audio_copy("mp3")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 + 7])

    with pytest.raises(TruncatedAudio, match="truncated"):
        write_tags(path, TAGS)

    assert len(path.read_bytes()) == len(data) // 2 + 7


def test_a_text_file_named_flac_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "notes.flac"
    path.write_text("These are my shopping notes, not music.\n" * 20)

    with pytest.raises(NotAudio, match="not a readable FLAC file"):
        write_tags(path, TAGS)


def test_a_zero_byte_file_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "empty.m4a"
    path.touch()

    with pytest.raises(EmptyFile, match="empty"):
        write_tags(path, TAGS)


def test_a_file_changed_since_it_was_analysed_is_refused(audio_copy):
    path = audio_copy("opus")
    analysed = FileStamp.of(path)
    os.utime(path, (analysed.mtime + 60, analysed.mtime + 60))

    with pytest.raises(FileChanged, match="changed since it was analysed"):
        write_tags(path, TAGS, expected=analysed)

    assert raw_namespace(path, "opus") == {}


def test_a_tag_outside_the_namespace_is_a_programming_error(audio_copy):
    with pytest.raises(ValueError, match="outside the 'nom:' namespace"):
        write_tags(audio_copy("flac"), {"artist": "Someone Else"})


def test_an_error_inside_the_write_step_leaves_the_original_and_no_temp_file(
    audio_copy, monkeypatch
):
    path = audio_copy("m4a")
    original = path.read_bytes()

    def broken_save(audio, fmt):
        Path(audio.filename).write_bytes(b"half written")
        raise OSError("disk full")

    monkeypatch.setattr(formats, "save", broken_save)

    with pytest.raises(OSError, match="disk full"):
        write_tags(path, TAGS)

    assert path.read_bytes() == original
    assert temp_files(path.parent) == []


def test_a_copy_whose_audio_changed_is_never_swapped_in(audio_copy, monkeypatch):
    path = audio_copy("flac")
    original = path.read_bytes()
    real_save = formats.save

    def save_and_damage_audio(audio, fmt):
        real_save(audio, fmt)
        with open(audio.filename, "r+b") as handle:
            handle.seek(-100, os.SEEK_END)
            handle.write(b"\0" * 50)

    monkeypatch.setattr(formats, "save", save_and_damage_audio)

    with pytest.raises(VerificationFailed, match="changed the audio"):
        write_tags(path, TAGS)

    assert path.read_bytes() == original
    assert temp_files(path.parent) == []


CRASHING_WRITER = """
import sys, time
from pathlib import Path
from library.tagfiles import formats, writer
from library.tagfiles.writer import write_tags

real_save = formats.save

def save_then_hang(audio, fmt):
    real_save(audio, fmt)
    Path(sys.argv[2]).write_text("writing")
    time.sleep(60)

formats.save = save_then_hang
write_tags(sys.argv[1], {"nom:version": "crash"})
"""


@pytest.mark.parametrize("fmt", ["mp3", "flac"])
def test_killing_the_writer_mid_write_leaves_the_original_and_the_next_run_cleans_up(
    audio_copy, tmp_path, fmt
):
    path = audio_copy(fmt)
    original = path.read_bytes()
    marker = tmp_path / "marker"
    root = Path(__file__).resolve().parents[3]
    writer = subprocess.Popen(
        [sys.executable, "-c", CRASHING_WRITER, str(path), str(marker)], cwd=root
    )
    try:
        for _ in range(600):
            if marker.exists() or writer.poll() is not None:
                break
            time.sleep(0.05)
        assert marker.exists(), "the writer never reached the write step"
        assert len(temp_files(path.parent)) == 1  # a live writer's copy is not removed
        assert cleanup_stale_temp_files(path) == []
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()

    assert path.read_bytes() == original
    assert len(temp_files(path.parent)) == 1

    write_tags(path, TAGS)

    assert temp_files(path.parent) == []
    assert raw_namespace(path, fmt)["nom:version"] == ["p1-abc;cal=none"]


def _fail_copying(monkeypatch, error):
    def fail(fd):  # the copy is written but cannot be flushed to disk
        raise error

    monkeypatch.setattr(writer.os, "fsync", fail)


def _fail_tagging(monkeypatch, error):
    def save_half_then_fail(audio, fmt):
        Path(audio.filename).write_bytes(b"half written")
        raise error

    monkeypatch.setattr(formats, "save", save_half_then_fail)


def _fail_verifying(monkeypatch, error):
    real_hash = writer.audio_payload_hash
    calls = []

    def hash_original_then_fail(path, fmt):
        calls.append(path)
        if len(calls) > 1:  # the first hash is the original's; the second verifies the copy
            raise error
        return real_hash(path, fmt)

    monkeypatch.setattr(writer, "audio_payload_hash", hash_original_then_fail)


def _fail_last_check(monkeypatch, error):
    def fail(path, st, when):
        raise error

    monkeypatch.setattr(writer, "_still_the_original", fail)


def _fail_replacing(monkeypatch, error):
    def fail(source, target):
        raise error

    monkeypatch.setattr(writer.os, "replace", fail)


STAGES = {
    "copy": _fail_copying,
    "tag": _fail_tagging,
    "verify": _fail_verifying,
    "last check": _fail_last_check,
    "replace": _fail_replacing,
}
ERRORS = {
    "error": OSError(28, "No space left on device"),
    "interrupt": KeyboardInterrupt(),  # Ctrl-C in `nom run`
    "exit": SystemExit(1),  # a worker told to stop
}


@pytest.mark.parametrize("error", ERRORS, ids=list(ERRORS))
@pytest.mark.parametrize("stage", STAGES, ids=list(STAGES))
def test_a_write_stopped_at_any_stage_leaves_the_original_and_no_temp_file(
    audio_copy, monkeypatch, stage, error
):
    path = audio_copy("mp3")
    original = path.read_bytes()
    STAGES[stage](monkeypatch, ERRORS[error])

    with pytest.raises(type(ERRORS[error])):
        write_tags(path, TAGS)

    monkeypatch.undo()
    assert path.read_bytes() == original
    assert temp_files(path.parent) == []

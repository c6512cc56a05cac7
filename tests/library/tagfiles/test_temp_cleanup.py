"""The tag writer's temporary copies left behind: a scan removes Nomarr's own abandoned ones
(older than an hour, unlocked, named exactly as the writer names them) and nothing else."""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

import pytest

from library.models import Library
from library.scanning.scanner import TEMP_FILE_MAX_AGE, scan_library
from library.tagfiles.tempfiles import remove_abandoned, temp_name, temp_target

TWO_HOURS_AGO = time.time() - 2 * TEMP_FILE_MAX_AGE


def make(path: Path, age_from: float | None = TWO_HOURS_AGO) -> Path:
    path.write_bytes(b"a copy")
    if age_from is not None:
        os.utime(path, (age_from, age_from))
    return path


@pytest.fixture
def album(audio_copy) -> Path:
    song = audio_copy("flac", "01 Song")
    return song.parent


@pytest.mark.parametrize(
    ("name", "target"),
    [
        (".01 Song.flac.0a1b2c3d.nomarr-tmp", "01 Song.flac"),
        (".a.b.mp3.deadbeef.nomarr-tmp", "a.b.mp3"),
        (".01 Song.flac.0A1B2C3D.nomarr-tmp", None),  # the writer's tokens are lower-case hex
        (".01 Song.flac.0a1b2c3.nomarr-tmp", None),  # seven digits
        ("01 Song.flac.0a1b2c3d.nomarr-tmp", None),  # not hidden
        (".01 Song.flac.0a1b2c3d.nomarr-tmp.bak", None),
        (".notes.txt.0a1b2c3d.nomarr-tmp", None),  # the writer never tags a text file
        (".01 Song.flac.nomarr-tmp", None),
    ],
)
def test_only_the_writers_exact_temp_names_are_recognised(name, target):
    assert temp_target(name) == target


def test_a_temp_name_made_by_the_writer_is_recognised():
    made = temp_name("/music/Album/01 Song.opus", "0123abcd")
    assert temp_target(os.path.basename(made)) == "01 Song.opus"


@pytest.mark.django_db
def test_a_scan_removes_old_temp_files_and_keeps_fresh_ones_and_look_alikes(album):
    library = Library.objects.create(name="Music", root_path=str(album))
    old = make(album / ".01 Song.flac.0a1b2c3d.nomarr-tmp")
    fresh = make(album / ".01 Song.flac.99990000.nomarr-tmp", age_from=None)  # a write going on
    look_alikes = [
        make(album / name)
        for name in (
            "01 Song.flac.0a1b2c3d.nomarr-tmp",
            ".01 Song.flac.0A1B2C3D.nomarr-tmp",
            ".01 Song.flac.0a1b2c3d.nomarr-tmp.keep",
            ".notes.txt.0a1b2c3d.nomarr-tmp",
            "my.nomarr-tmp",
        )
    ]
    sub = album / "Disc 2"
    sub.mkdir()
    (sub / "02 Song.flac").write_bytes((album / "01 Song.flac").read_bytes())
    old_below = make(sub / ".02 Song.flac.00000001.nomarr-tmp")

    summary = scan_library(library)

    assert summary.temp_files_removed == 2
    assert not old.exists() and not old_below.exists()
    assert fresh.exists()
    assert all(path.exists() for path in look_alikes)
    assert summary.added == 2  # the audio is scanned as ever


@pytest.mark.django_db
def test_a_scan_keeps_an_old_temp_file_a_live_writer_still_holds_locked(album):
    library = Library.objects.create(name="Music", root_path=str(album))
    held = make(album / ".01 Song.flac.0a1b2c3d.nomarr-tmp")
    fd = os.open(held, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        summary = scan_library(library)
    finally:
        os.close(fd)

    assert summary.temp_files_removed == 0
    assert held.exists()


def test_a_link_or_a_folder_named_like_a_temp_file_is_never_removed(tmp_path):
    victim = make(tmp_path / "victim.flac")
    link = tmp_path / ".song.flac.0a1b2c3d.nomarr-tmp"
    link.symlink_to(victim)
    folder = tmp_path / ".other.flac.0a1b2c3d.nomarr-tmp"
    folder.mkdir()

    assert remove_abandoned(str(tmp_path)) == []
    assert link.is_symlink() and victim.exists() and folder.is_dir()

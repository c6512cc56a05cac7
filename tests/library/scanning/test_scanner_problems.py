"""Files and folders a scan must survive: broken files, unlistable folders, non-UTF-8 names,
symlink loops and symlinks leading outside the library."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from library.models import Library, Track
from library.scanning import walk
from library.scanning.scanner import scan_library
from library.scanning.track_fields import clean_text, readable_path
from tests.support.audio import make_audio

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def song(tmp_path_factory) -> Path:
    return make_audio(tmp_path_factory.mktemp("song") / "song.mp3", seconds=2.0)


@pytest.fixture
def library(tmp_path) -> Library:
    root = tmp_path / "music"
    root.mkdir()
    return Library.objects.create(name="Music", root_path=str(root))


def copy(song: Path, library: Library, relative: str) -> Path:
    target = Path(library.root_path) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(song, target)
    return target


def test_broken_files_are_recorded_with_reasons_while_the_rest_is_scanned(library, song):
    copy(song, library, "good.mp3")
    root = Path(library.root_path)
    data = song.read_bytes()
    (root / "truncated.mp3").write_bytes(data[: len(data) // 2])
    (root / "text.flac").write_text("this is not a FLAC file\n" * 10)
    (root / "empty.ogg").write_bytes(b"")
    summary = scan_library(library)
    assert (summary.scanned, summary.added, summary.errors) == (4, 4, 3)
    reasons = dict(
        Track.objects.filter(is_readable=False).values_list("relative_path", "read_error")
    )
    assert reasons.keys() == {"truncated.mp3", "text.flac", "empty.ogg"}
    assert reasons["truncated.mp3"].startswith("Truncated")
    assert "not a valid FLAC file" in reasons["text.flac"]
    assert reasons["empty.ogg"] == "Empty file (0 bytes)."
    assert Track.objects.get(relative_path="good.mp3").is_readable
    assert {p["reason"] for p in summary.problems} == set(reasons.values())
    assert len(summary.changed_track_ids) == 1  # unreadable files are never queued for tagging


def test_an_unreadable_file_is_not_reread_until_it_changes(library, song):
    bad = Path(library.root_path) / "bad.mp3"
    bad.write_text("garbage")
    scan_library(library)
    assert scan_library(library).unchanged == 1
    shutil.copy(song, bad)
    summary = scan_library(library)
    assert summary.updated == 1
    track = Track.objects.get()
    assert (track.is_readable, track.read_error) == (True, "")


def test_a_folder_that_cannot_be_listed_is_reported_and_the_scan_goes_on(
    library, song, monkeypatch
):
    copy(song, library, "Open/a.mp3")
    copy(song, library, "Locked/b.mp3")
    copy(song, library, "z.mp3")
    locked = os.path.join(library.root_path, "Locked")
    real_scandir = os.scandir

    def scandir(path):
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(walk.os, "scandir", scandir)
    summary = scan_library(library)
    assert summary.added == 2
    assert summary.problems == [{"path": locked, "reason": "Cannot list folder: Permission denied"}]
    assert summary.errors == 1


def test_clean_missing_keeps_tracks_in_a_folder_that_could_not_be_listed(
    library, song, monkeypatch
):
    copy(song, library, "Locked/b.mp3")
    scan_library(library)
    locked = os.path.join(library.root_path, "Locked")
    real_scandir = os.scandir

    def scandir(path):
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(walk.os, "scandir", scandir)
    summary = scan_library(library, clean_missing=True)
    assert summary.removed == 0
    assert Track.objects.count() == 1


def test_a_non_utf8_file_name_is_stored_readably_and_marked_unusable(library, song):
    copy(song, library, "fine.mp3")
    raw = os.fsencode(library.root_path) + b"/caf\xe9.mp3"
    with open(raw, "wb") as handle:
        handle.write(song.read_bytes())
    summary = scan_library(library)
    assert (summary.scanned, summary.added) == (2, 2)
    odd = Track.objects.get(is_readable=False)
    assert odd.path == os.path.join(library.root_path, "caf\\xe9.mp3")
    assert "not valid UTF-8" in odd.read_error
    again = scan_library(library, clean_missing=True)
    assert (again.unchanged, again.removed) == (2, 0)


def test_a_symlink_loop_neither_stops_nor_repeats_a_scan(library, song):
    copy(song, library, "Album/a.mp3")
    root = Path(library.root_path)
    (root / "Album" / "back").symlink_to(root, target_is_directory=True)
    (root / "x").symlink_to(root / "y")
    (root / "y").symlink_to(root / "x")
    summary = scan_library(library)
    assert (summary.scanned, summary.added) == (1, 1)


def test_symlinks_leading_outside_the_root_are_skipped(library, song, tmp_path):
    copy(song, library, "inside.mp3")
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy2(song, outside / "secret.mp3")
    root = Path(library.root_path)
    (root / "escape").symlink_to(outside, target_is_directory=True)
    (root / "escape.mp3").symlink_to(outside / "secret.mp3")
    summary = scan_library(library)
    assert Track.objects.get().relative_path == "inside.mp3"
    assert {p["path"] for p in summary.problems} == {str(root / "escape"), str(root / "escape.mp3")}


def test_a_symlinked_folder_inside_the_root_is_scanned_once(library, song):
    copy(song, library, "Real/a.mp3")
    (Path(library.root_path) / "Alias").symlink_to(Path(library.root_path) / "Real")
    summary = scan_library(library)
    assert summary.scanned == 1


def test_text_for_the_database_loses_nul_bytes_and_lone_surrogates():
    assert clean_text("a\x00b", 10) == "ab"
    assert clean_text("caf\udce9", 20) == "caf\\udce9"
    assert clean_text("x" * 50, 10) == "x" * 10
    assert readable_path("/m/caf\udce9.mp3") == "/m/caf\\xe9.mp3"

"""The one atomic file writer: whole files or nothing, owner-only, no temporary file left."""

from __future__ import annotations

import os
import stat

import pytest

from nomarr_site import files


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_atomic_write_creates_an_owner_only_file(tmp_path):
    target = tmp_path / "settings.json"
    files.atomic_write(target, "{}\n")
    assert target.read_text() == "{}\n"
    assert mode(target) == 0o600
    assert os.listdir(tmp_path) == ["settings.json"]


def test_atomic_write_replaces_a_file_and_takes_bytes_and_a_mode(tmp_path):
    target = tmp_path / "blob"
    target.write_text("old")
    files.atomic_write(target, b"\x00new", mode=0o640)
    assert target.read_bytes() == b"\x00new"
    assert mode(target) == 0o640


@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_an_interrupted_write_keeps_the_old_file_and_leaves_no_temporary_file(
    tmp_path, monkeypatch, error
):
    target = tmp_path / "manifest.json"
    target.write_text("old")

    def fail(source, destination):
        raise error

    monkeypatch.setattr(files.os, "replace", fail)
    with pytest.raises(type(error)):
        files.atomic_write(target, "new")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["manifest.json"]


def test_atomic_create_writes_once_and_never_replaces(tmp_path):
    target = tmp_path / "secret_key"
    assert files.atomic_create(target, "first") is True
    assert files.atomic_create(target, "second") is False
    assert target.read_text() == "first"
    assert mode(target) == 0o600
    assert os.listdir(tmp_path) == ["secret_key"]


def test_move_into_place_replaces_the_target_with_the_finished_file(tmp_path):
    done, target = tmp_path / "a.part", tmp_path / "a"
    done.write_text("complete")
    target.write_text("stale")
    files.move_into_place(done, target)
    assert target.read_text() == "complete"
    assert not done.exists()

"""Fixtures for tag tests: one generated file per format, copied fresh into each test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.audio import FORMATS, make_audio

COMMON = {
    "artist": "Ann Artist",
    "album_artist": "Various",
    "album": "First Album",
    "title": "Opening Song",
    "track": "3/9",
    "disc": "1/2",
    "date": "2001-05-04",
    "genre": "Rock",
}


@pytest.fixture(scope="session")
def originals(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("originals")
    return {fmt: make_audio(folder / f"song.{fmt}", seconds=4, tags=COMMON) for fmt in FORMATS}


@pytest.fixture
def audio_copy(originals, tmp_path):
    def copy(fmt: str, name: str = "song") -> Path:
        target = tmp_path / "music" / f"{name}.{fmt}"
        target.parent.mkdir(exist_ok=True)
        shutil.copyfile(originals[fmt], target)
        return target

    return copy

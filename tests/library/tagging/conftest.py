"""Fixtures for tagging tests: a generated model suite with the real node names and metadata,
short generated tracks, and a music library of generated tracks in every format with the models
folder configured (for the entry points and the `tag` job)."""

from __future__ import annotations

import pytest

from tests.support.audio import FORMATS, make_audio
from tests.support.graphs import write_standard_suite


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory):
    return write_standard_suite(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="session")
def tracks(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tracks")
    return {
        fmt: make_audio(folder / f"track.{fmt}", seconds=6, frequency=330 + 110 * i)
        for i, fmt in enumerate(FORMATS)
    }


@pytest.fixture(scope="session")
def suite_dir(tmp_path_factory):
    return write_standard_suite(tmp_path_factory.mktemp("models"))


@pytest.fixture
def music(db, tmp_path, suite_dir):
    """A library root with one short track per format, and the models folder configured."""
    from library.models import Library
    from nomarr_site import config

    root = tmp_path / "music"
    album = root / "Artist" / "Album"
    files = {
        fmt: make_audio(
            album / f"{i + 1:02d} Song.{fmt}",
            seconds=4,
            frequency=300 + 90 * i,
            tags={"title": f"Song {fmt}", "artist": "Artist", "album": "Album"},
        )
        for i, fmt in enumerate(FORMATS)
    }
    library = Library.objects.create(name="Music", root_path=str(root))
    config.set_value("models_dir", str(suite_dir))
    return {"root": root, "library": library, "files": files, "album": album}


@pytest.fixture
def run_jobs(db):
    """Run every claimable job in this process, as workers would; returns how many ran."""
    from jobs.transport import work_one

    def run(limit: int = 200) -> int:
        ran = 0
        while ran < limit and work_one():
            ran += 1
        return ran

    return run

"""Fixtures for tagging tests: a generated model suite with the real node names and metadata,
and short generated tracks."""

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

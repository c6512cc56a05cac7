"""Fixtures for tagging tests: a generated model suite with the real node names and metadata,
short generated tracks, and a music library of generated tracks in every format with the models
folder configured (for the entry points and the `tag` job); a local server of model files for
the fetch tests."""

from __future__ import annotations

import threading

import pytest

from tests.support.audio import FORMATS, make_audio
from tests.support.graphs import EFFNET, write_head, write_standard_suite
from tests.support.model_server import Handler, Server


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


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> dict[str, bytes]:
    """A real head graph and its metadata, plus a regression head that lacks `model/Softmax`."""
    folder = tmp_path_factory.mktemp("served")
    graph = write_head(folder, "mood_sad", EFFNET, ["non_sad", "sad"], seed=12)
    other = write_head(folder, "approachability_regression", EFFNET, None, seed=15)
    return {
        "graph": graph.read_bytes(),
        "meta": graph.with_suffix(".json").read_bytes(),
        "regression": other.read_bytes(),
    }


@pytest.fixture
def server(model):
    httpd = Server(("127.0.0.1", 0), Handler)
    httpd.files = {"fe/net.pb": model["graph"], "fe/net.json": model["meta"]}
    httpd.ranges, httpd.requested = [], []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()

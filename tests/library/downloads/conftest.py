"""Helpers for the download tests: episode-sized stand-in bytes, a recorder of the engine's
progress callbacks, and `fetch`, the engine called with the names every test uses; for the
queue, a series directory with one show whose download source is a URL template, and the
`downloads` room's events as sent."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from library.downloads.fetch import DownloadRequest, Progress, download
from library.models import Episode, Series

FINAL = "Show - S01E02 - Title.mkv"
PART = ".nomarr-0f1e2d.part"
SIDECAR = PART + ".json"
SIZE = 300_000


def blob(size: int, seed: int = 1) -> bytes:
    """`size` bytes that differ at every offset, so a wrongly joined resume shows."""
    return random.Random(seed).randbytes(size)


class Recorder:
    """Records each progress callback; `stop_after` makes `should_stop` say yes once that many
    callbacks have arrived."""

    def __init__(self, stop_after: int | None = None) -> None:
        self.calls: list[Progress] = []
        self.stop_after = stop_after

    def __call__(self, progress: Progress) -> None:
        self.calls.append(progress)

    def should_stop(self) -> bool:
        return self.stop_after is not None and len(self.calls) >= self.stop_after


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


def fetch(url: str, folder: Path, recorder: Recorder | None = None, **options) -> Path:
    """`download` of `DownloadRequest(url, folder, FINAL, PART, **options)`, with a fresh
    recorder unless one is given."""
    recorder = recorder or Recorder()
    options.setdefault("final_name", FINAL)
    options.setdefault("part_name", PART)
    return download(
        DownloadRequest(
            url, folder, on_progress=recorder, should_stop=recorder.should_stop, **options
        )
    )


def names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


@pytest.fixture
def series_root(tmp_path, db) -> Path:
    from nomarr_site import config

    root = tmp_path / "series"
    root.mkdir()
    config.set_value("series_directory", str(root))
    return root


@pytest.fixture
def show(series_root) -> Series:
    """`Frieren` with a download source template; episode 1-1 present, 1-2 and 1-3 missing."""
    (series_root / "Frieren (2023)").mkdir()
    series = Series.objects.create(
        key="frieren",
        name="Frieren",
        folder="Frieren (2023)",
        download_source="http://127.0.0.1:9/frieren/s{season:02d}e{episode:02d}.mkv",
    )
    Episode.objects.create(series=series, season=1, number=1, is_present=True, title="Journey")
    Episode.objects.create(series=series, season=1, number=2, title="Not a Hero")
    Episode.objects.create(series=series, season=1, number=3, title="Killing Magic")
    return series


@pytest.fixture
def download_events(monkeypatch):
    """Events of room `downloads` as (type, data); the other rooms' go out as usual."""
    from nomarr_site.events import sender

    sent: list[tuple[str, dict]] = []
    real_emit = sender.emit

    def record(room, kind, data):
        if room != "downloads":
            return real_emit(room, kind, data)
        sender.validate(room, kind)
        sent.append((kind, dict(data)))

    monkeypatch.setattr(sender, "emit", record)
    return sent

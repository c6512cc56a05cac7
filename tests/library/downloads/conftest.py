"""Helpers for the download engine tests: episode-sized stand-in bytes, a recorder of the
progress callbacks, and `fetch`, the engine called with the names every test uses."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from library.downloads.fetch import Progress, download

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
    """`download(url, folder, FINAL, PART)` with a fresh recorder unless one is given."""
    recorder = recorder or Recorder()
    return download(
        url,
        folder,
        options.pop("final_name", FINAL),
        options.pop("part_name", PART),
        on_progress=recorder,
        should_stop=recorder.should_stop,
        **options,
    )


def names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}

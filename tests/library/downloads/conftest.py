"""Helpers for the download engine tests: episode-sized stand-in bytes and a recorder of the
progress callbacks."""

from __future__ import annotations

import random

import pytest

from library.downloads.fetch import Progress


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

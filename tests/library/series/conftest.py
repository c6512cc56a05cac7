"""Fixtures of the series-library tests: a series directory on disk and the `library` room's
events (the loopback TMDB comes from tests/support/tmdb.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


def touch(root: Path, *relative: str) -> None:
    for name in relative:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"video")


@pytest.fixture
def series_dir(tmp_path, db) -> Path:
    """A series directory with Attack on Titan (linked to TMDB by its folder tag, two episodes
    of season 1 and a special on disk) and an unlinked show; set as the setting."""
    from nomarr_site import config

    root = tmp_path / "series"
    titan = "Attack on Titan (2013) [tmdbid-1429]"
    touch(
        root,
        f"{titan}/Season 01/Attack on Titan - S01E01 - To You.mkv",
        f"{titan}/Season 01/Attack on Titan - S01E03.mkv",
        f"{titan}/Specials/Attack on Titan - S00E01.mkv",
        f"{titan}/Season 01/notes.txt",
        "Other Show/Other Show 1x01.mp4",
    )
    (root / ".hidden").mkdir()
    config.set_value("series_directory", str(root))
    return root


@pytest.fixture
def events(monkeypatch):
    from nomarr_site.events import sender

    sent: list[tuple[str, str, dict]] = []
    real_emit = sender.emit

    def record(room, kind, data):
        if room != "library":
            return real_emit(room, kind, data)
        sent.append((room, kind, data))

    monkeypatch.setattr(sender, "emit", record)
    return sent

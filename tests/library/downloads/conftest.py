"""Fixtures of the download-queue tests: a series directory with one show whose download
source is a URL template, and the `downloads` room's events as sent."""

from __future__ import annotations

from pathlib import Path

import pytest

from library.models import Episode, Series


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

"""Fixtures for calibration tests: tracks with stored raw scores drawn from known
distributions, written straight to the database (no inference)."""

from __future__ import annotations

import pytest

from library.models import Library, Track, TrackScore


def store_scores(library, heads, start=0, *, std=0.0):
    """Tracks `start..start+n` with, per head, classes and their score columns:
    `heads = {"mood_happy": {"happy": [..], "non_happy": [..]}}` (one value per track)."""
    n = len(next(iter(next(iter(heads.values())).values())))
    tracks = Track.objects.bulk_create(
        Track(
            library=library,
            path=f"{library.root_path}/t{i:06d}.mp3",
            relative_path=f"t{i:06d}.mp3",
            size=1,
            mtime=1.0,
        )
        for i in range(start, start + n)
    )
    rows = [
        TrackScore(
            track=track,
            head=head,
            label=label,
            score_mean=values[i],
            score_std=std,
            model_file=f"{head}-discogs-effnet-1.pb",
        )
        for head, classes in heads.items()
        for label, values in classes.items()
        for i, track in enumerate(tracks)
    ]
    TrackScore.objects.bulk_create(rows, batch_size=2000)
    return tracks


def uniform(n, low=0.0, high=1.0):
    """n evenly spaced values from low to high inclusive (known percentiles)."""
    return [low + (high - low) * i / (n - 1) for i in range(n)]


@pytest.fixture
def library(db, tmp_path):
    return Library.objects.create(name="Music", root_path=str(tmp_path / "music"))


@pytest.fixture
def run_jobs(db):
    """Run every claimable job in this process, as workers would; returns how many ran."""
    from jobs.transport import work_one

    def run(limit: int = 500) -> int:
        ran = 0
        while ran < limit and work_one():
            ran += 1
        return ran

    return run

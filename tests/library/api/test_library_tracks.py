"""A library's tracks, paginated and searchable, one track with its raw scores, and each
library's file, tagged and last-scan overview."""

from __future__ import annotations

import pytest

from jobs.models import Job
from library.models import Library, Track, TrackScore

pytestmark = pytest.mark.django_db


# Tracks


def make_tracks(library: Library, count: int) -> list[Track]:
    return [
        Track.objects.create(
            library=library,
            path=f"{library.root_path}/{index:02d}.mp3",
            relative_path=f"{index:02d}.mp3",
            size=index,
            mtime=1.0,
            title=f"Title {index}",
            artist="Needle" if index == 7 else "Band",
        )
        for index in range(count)
    ]


def test_a_librarys_tracks_are_paginated_in_path_order(token_holder, music):
    make_tracks(music, 12)
    response = token_holder.get(f"/api/web/libraries/{music.id}/tracks?limit=5&offset=5")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 12
    assert [t["relative_path"] for t in body["results"]] == [f"{i:02d}.mp3" for i in range(5, 10)]
    assert body["results"][0]["library_id"] == music.id


def test_tracks_can_be_searched(token_holder, music):
    make_tracks(music, 10)
    body = token_holder.get(f"/api/web/libraries/{music.id}/tracks?search=needle").json()
    assert [t["artist"] for t in body["results"]] == ["Needle"]
    too_long = token_holder.get(f"/api/web/libraries/{music.id}/tracks?search={'x' * 300}")
    assert too_long.status_code == 400


def test_tracks_of_an_unknown_library_are_404(token_holder):
    assert token_holder.get("/api/web/libraries/99/tracks").status_code == 404


def test_one_track_comes_with_its_raw_scores(token_holder, music):
    track = make_tracks(music, 1)[0]
    TrackScore.objects.create(track=track, head="mood_happy", label="happy", score_mean=0.8,
                              score_std=0.1, model_file="mood_happy-discogs-effnet-1.pb",
                              embedding_model="discogs-effnet-bs64-1")  # fmt: skip
    response = token_holder.get(f"/api/web/tracks/{track.id}")
    assert response.status_code == 200
    body = response.json()
    assert body["path"] == track.path
    assert body["namespace_tags"] == {}
    assert [(s["head"], s["label"], s["score_mean"]) for s in body["scores"]] == [
        ("mood_happy", "happy", 0.8)
    ]
    assert token_holder.get("/api/web/tracks/999").status_code == 404


def test_each_library_says_how_many_files_it_knows_how_many_are_tagged_and_its_last_scan(
    token_holder, music, roots
):
    from django.utils import timezone

    other = Library.objects.create(name="Other", root_path=str(roots / "other"))
    tracks = make_tracks(music, 3)
    Track.objects.filter(pk=tracks[0].pk).update(tagged_version="p1-abc;cal=none")
    first = token_holder.post(f"/api/web/libraries/{music.pk}/scan", {}, format="json").json()
    Job.objects.filter(pk=first["job_id"]).update(status="done", finished_at=timezone.now())
    latest = token_holder.post(f"/api/web/libraries/{music.pk}/scan", {}, format="json").json()
    listed = {row["name"]: row for row in token_holder.get("/api/web/libraries").json()}
    assert (listed["Music"]["file_count"], listed["Music"]["tagged_count"]) == (3, 1)
    assert listed["Music"]["last_scan"]["job_id"] == latest["job_id"]
    assert listed["Music"]["last_scan"]["status"] == "pending"
    assert listed["Other"]["file_count"] == 0 and listed["Other"]["last_scan"] is None
    # One library read alone has the same shape as in the list.
    alone = token_holder.get(f"/api/web/libraries/{other.pk}").json()
    assert set(alone) == set(listed["Other"])

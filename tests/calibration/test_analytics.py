"""Analytics over the tags files carry: frequencies, the mood distribution (regular tier or
stricter), correlations against an independent computation, and bad parameters."""

from __future__ import annotations

import math

import pytest

from calibration.analytics import phi
from library.models import Library, Track

pytestmark = pytest.mark.django_db

# (regular tier moods, strict tier moods) per track
TRACKS = [
    (["happy", "party"], ["happy"]),
    (["happy", "party"], []),
    (["happy"], ["happy"]),
    (["sad"], ["sad"]),
    ([], []),
]


@pytest.fixture
def tagged(db, tmp_path):
    library = Library.objects.create(name="M", root_path=str(tmp_path))
    for i, (regular, strict) in enumerate(TRACKS):
        tags = {"nom:version": "p1-x;cal=1", "nom:danceability": f"0.{i}000", "other:x": "y"}
        loose = regular
        for tier, moods in (("strict", strict), ("regular", regular), ("loose", loose)):
            if moods:
                tags[f"nom:mood-{tier}"] = moods[0] if len(moods) == 1 else moods
        Track.objects.create(
            library=library,
            path=f"{tmp_path}/{i}.mp3",
            relative_path=f"{i}.mp3",
            size=1,
            mtime=1,
            namespace_tags=tags,
        )


def test_tag_frequencies_count_tracks_and_distinct_values_of_our_namespace(token_holder, tagged):
    body = token_holder.get("/api/web/analytics/tag-frequencies").json()

    rows = {row["tag_key"]: row for row in body["tag_frequencies"]}
    assert rows["nom:version"] == {"tag_key": "nom:version", "total_count": 5, "unique_values": 1}
    assert rows["nom:danceability"]["unique_values"] == 5
    assert rows["nom:mood-regular"]["total_count"] == 4
    assert "other:x" not in rows
    limited = token_holder.get("/api/web/analytics/tag-frequencies?limit=2").json()
    assert len(limited["tag_frequencies"]) == 2


def test_the_mood_distribution_counts_the_regular_tier_as_a_share_of_all_tracks(
    token_holder, tagged
):
    body = token_holder.get("/api/web/analytics/mood-distribution").json()

    assert body == {
        "mood_distribution": [
            {"mood": "happy", "count": 3, "percentage": 60.0},
            {"mood": "party", "count": 2, "percentage": 40.0},
            {"mood": "sad", "count": 1, "percentage": 20.0},
        ]
    }


def independent_phi(a, b):
    x = [1 if a in regular else 0 for regular, _s in TRACKS]
    y = [1 if b in regular else 0 for regular, _s in TRACKS]
    mx, my = sum(x) / len(x), sum(y) / len(y)
    cov = sum((i - mx) * (j - my) for i, j in zip(x, y, strict=True))
    return cov / math.sqrt(sum((i - mx) ** 2 for i in x) * sum((j - my) ** 2 for j in y))


def test_correlations_are_pearsons_r_of_having_each_mood(token_holder, tagged):
    body = token_holder.get("/api/web/analytics/tag-correlations").json()

    correlations = body["mood_correlations"]
    assert correlations["happy"]["party"] == pytest.approx(independent_phi("happy", "party"), 1e-3)
    assert correlations["party"]["happy"] == correlations["happy"]["party"]
    assert correlations["happy"]["sad"] == pytest.approx(independent_phi("happy", "sad"), 1e-3)
    tiers = body["mood_tier_correlations"]
    assert tiers["happy"]["tier_s"] == tiers["happy"]["strict"] == pytest.approx(0.667)
    assert tiers["happy"]["tier_a"] == tiers["happy"]["regular"] == 1.0
    top = token_holder.get("/api/web/analytics/tag-correlations?top_n=1").json()
    assert sum(len(v) for v in top["mood_correlations"].values()) == 2


def test_phi_of_a_mood_every_track_has_is_zero():
    assert phi(3, 3, 5, 5) == 0.0


@pytest.mark.parametrize(
    "url",
    [
        "/api/web/analytics/tag-frequencies?limit=0",
        "/api/web/analytics/tag-frequencies?limit=abc",
        "/api/web/analytics/tag-correlations?top_n=-1",
        "/api/web/analytics/tag-correlations?top_n=99999999",
    ],
)
def test_bad_parameters_are_a_400_naming_them(token_holder, db, url):
    response = token_holder.get(url)

    assert response.status_code == 400
    assert url.rsplit("?", 1)[1].split("=")[0] in response.json()["message"]


def test_an_empty_library_has_empty_analytics(token_holder, db):
    assert token_holder.get("/api/web/analytics/mood-distribution").json() == {
        "mood_distribution": []
    }

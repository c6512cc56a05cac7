"""Analytics, the tag catalogue and playlist previews, read from the tag index, equal a
recomputation in Python over the tracks' `namespace_tags`, for seeded random libraries that
were then edited through every kind of write (save, bulk update, raw update, delete)."""

from __future__ import annotations

import math
import random
import re
from collections import Counter

import pytest
from django.core.cache import cache

from calibration import analytics
from calibration.navidrome import criteria, matching, tags
from library.models import Library, Track
from tests.calibration.test_navidrome import navidrome_match

pytestmark = pytest.mark.django_db

MOODS = ["happy", "sad", "party", "relaxed", "aggressive"]
GENRES = ["rock", "jazz", "pop", "folk"]
NUMBER = re.compile(r"^[+-]?[0-9]*[.]?[0-9]+$")
QUERIES = [
    "nom:mood_happy is true and nom:danceability > 0.5",
    "nom:mood-regular is sad or not nom:genre_discogs400 contains RO",
    "nom:danceability between 0.2 and 0.6 and nom:mood_sad is false",
    "not nom:mood-loose is party",
]


def single(values):
    return values[0] if len(values) == 1 else values


def random_tags(g: random.Random) -> dict:
    found = {"nom:version": g.choice(["p1;cal=1", "p1;cal=2"])}
    for head in ("mood_happy", "danceability"):
        if g.random() < 0.9:
            found[f"nom:{head}"] = f"{g.random():.1f}"  # few values: repeats across tracks
    if g.random() < 0.7:
        found["nom:genre_discogs400"] = single(g.sample(GENRES, g.randint(1, 3)))
    moods = g.sample(MOODS, g.randint(0, 4))
    strict = g.randint(0, len(moods))
    regular = g.randint(strict, len(moods))
    for tier, count in (("strict", strict), ("regular", regular), ("loose", len(moods))):
        if count:
            found[f"nom:mood-{tier}"] = single(moods[:count])
    if g.random() < 0.2:
        found["other:x"] = "y"
    if g.random() < 0.15:
        found["nom:note"] = g.choice(["1.2.3", "hello", "5", ["a", "b"]])
    return found


def edited_library(seed: int, tmp_path) -> None:
    g = random.Random(seed)
    library = Library.objects.create(name="M", root_path=str(tmp_path))
    tracks = Track.objects.bulk_create(
        Track(
            library=library,
            path=f"{tmp_path}/{i:03d}.flac",
            relative_path=f"{i:03d}.flac",
            size=1,
            mtime=1.0,
            namespace_tags=random_tags(g),
        )
        for i in range(40)
    )
    for track in g.sample(tracks, 10):
        track.namespace_tags = random_tags(g)
        track.save()
    batch = g.sample(tracks, 5)
    for track in batch:
        track.namespace_tags = random_tags(g)
    Track.objects.bulk_update(batch, ["namespace_tags"])
    for track in g.sample(tracks, 3):
        Track.objects.filter(pk=track.pk).update(namespace_tags=random_tags(g))
    Track.objects.filter(pk__in=[t.pk for t in g.sample(tracks, 4)]).delete()
    cache.clear()


def as_list(value):
    return value if isinstance(value, list) else [value]


def expected_catalogue(library):
    totals, wholes, numeric, multi = Counter(), {}, Counter(), Counter()
    for found in library.values():
        for key, value in found.items():
            if not key.startswith("nom:"):
                continue
            totals[key] += 1
            wholes.setdefault(key, set()).add(tuple(value) if isinstance(value, list) else value)
            numeric[key] += isinstance(value, str) and bool(NUMBER.match(value))
            multi[key] += isinstance(value, list)
    return {
        key: tags.TagInfo(key, total, len(wholes[key]), numeric[key] == total, multi[key] > 0)
        for key, total in totals.items()
    }


def having(library, tier: str) -> dict[str, set[str]]:
    """Per mood: the paths of the tracks whose tier tag holds it."""
    found: dict[str, set[str]] = {}
    for path, tagged in library.items():
        for mood in as_list(tagged.get(f"nom:mood-{tier}", [])):
            found.setdefault(mood, set()).add(path)
    return found


def pearson(x: list[int], y: list[int]) -> float:
    n = len(x)
    mx, my = sum(x) / n, sum(y) / n
    cov = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    spread = sum((a - mx) ** 2 for a in x) * sum((b - my) ** 2 for b in y)
    return cov / math.sqrt(spread) if spread else 0.0


@pytest.fixture(params=[1, 2, 3, 4, 5])
def library(request, db, tmp_path):
    edited_library(request.param, tmp_path)
    return dict(Track.objects.values_list("path", "namespace_tags"))


def test_frequencies_and_the_catalogue_equal_a_recomputation(library):
    catalogue = expected_catalogue(library)
    ranked = sorted(catalogue.values(), key=lambda info: (-info.total, info.key))

    assert analytics.tag_frequencies(1000) == [
        {"tag_key": info.key, "total_count": info.total, "unique_values": info.unique}
        for info in ranked
    ]
    assert tags.catalogue() == catalogue


def test_the_mood_distribution_and_tier_shares_equal_a_recomputation(library):
    counts = [(mood, len(paths)) for mood, paths in having(library, "regular").items()]

    assert analytics.mood_distribution() == [
        {"mood": mood, "count": n, "percentage": round(100 * n / len(library), 1)}
        for mood, n in sorted(counts, key=lambda item: (-item[1], item[0]))
    ]
    by_tier = {tier: having(library, tier) for tier in ("strict", "regular", "loose")}
    shares = analytics.mood_tier_shares()
    assert set(shares) == set(by_tier["loose"])
    for mood, anywhere in by_tier["loose"].items():
        for tier, found in by_tier.items():
            expected = round(len(found.get(mood, set())) / len(anywhere), 3)
            assert shares[mood][tier] == expected


def test_correlations_equal_pearsons_r_recomputed_for_every_pair(library):
    regular = having(library, "regular")
    paths = sorted(library)
    correlations = analytics.mood_correlations(top_n=1000)

    for a in regular:
        for b in regular:
            if a < b:
                x = [int(p in regular[a]) for p in paths]
                y = [int(p in regular[b]) for p in paths]
                assert correlations[a][b] == pytest.approx(pearson(x, y), abs=1e-3)
                assert correlations[b][a] == correlations[a][b]


@pytest.mark.parametrize("query", QUERIES)
def test_previews_equal_an_independent_evaluation(library, query):
    everything = tags.catalogue()
    known = tags.catalogue(criteria.keys_named(query))  # what the preview endpoint reads
    assert known == {key: everything[key] for key in known}
    rule = criteria.criteria(query, known)
    numeric = {info.field for info in known.values() if info.numeric}
    wanted = sorted(p for p, found in library.items() if navidrome_match(rule, found, numeric))

    preview = matching.preview(rule, 100, known)

    assert preview["matched_tracks"] == len(wanted)
    assert [row["path"] for row in preview["preview"]] == wanted

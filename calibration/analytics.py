"""Library analytics, computed by aggregate queries in the database over the namespace tags each
track's file carries (`Track.namespace_tags`, what media servers see, indexed one row per value
by `library.tag_index`): tag frequencies, the mood distribution and mood correlations.

A track *has a mood* when the mood is in its `<ns>:mood-regular` tag (tiers are cumulative, so
strict moods are in it too). The reference's correlation keys `tier_s` and `tier_a` are our
`strict` and `regular` tiers.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from django.db import connection

from calibration.tagcache import cached
from library.models import Track
from library.tagging.tag_values import TIERS
from nomarr_site import config

HAS_MOOD_TIER = "regular"
REFERENCE_TIER_KEYS = {"tier_s": "strict", "tier_a": "regular"}


def namespace() -> str:
    return str(config.get("namespace")).lower()


# Every query is a constant; only values travel as parameters. They read the tag index
# (`library.tag_index`): `TrackTag` rows, one per value, and the per-value and per-pair counts
# the database keeps beside them, so none of them reads the JSON of every track.
QUERIES = {
    "frequencies": "SELECT key, SUM(tracks), COUNT(DISTINCT whole) FROM library_tagvaluecount "
    "WHERE substr(key, 1, %s) = %s AND tracks > 0 GROUP BY key "
    "ORDER BY SUM(tracks) DESC, key LIMIT %s",
    "moods": "SELECT value, COUNT(DISTINCT track_id) FROM library_tracktag WHERE key = %s "
    "GROUP BY value",
    "pairs": "SELECT value_a, value_b, tracks FROM library_tagpaircount "
    "WHERE key = %s AND tracks > 0",
}


def rows(sql: str, params: list[Any]) -> list[tuple]:
    """The rows of one aggregate query, cached under the tags' generation (calibration.tagcache)."""

    def run() -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [tuple(row) for row in cursor.fetchall()]

    return cached("sql", [sql, params], run)


def tag_frequencies(limit: int = 50) -> list[dict[str, Any]]:
    """Per namespace tag: how many tracks carry it and how many distinct values it has."""
    prefix = f"{namespace()}:"
    return [
        {"tag_key": key, "total_count": int(total), "unique_values": unique}
        for key, total, unique in rows(QUERIES["frequencies"], [len(prefix), prefix, limit])
    ]


def tier_key(tier: str) -> str:
    return f"{namespace()}:mood-{tier}"


def value_counts(key: str) -> dict[str, int]:
    """Tracks per value of one namespace tag (a list counts each of its values)."""
    return {value: count for value, count in rows(QUERIES["moods"], [key])}


def mood_counts(tier: str = HAS_MOOD_TIER) -> dict[str, int]:
    return value_counts(tier_key(tier))


def mood_distribution() -> list[dict[str, Any]]:
    """Tracks per mood (at the regular tier or stricter) and their share of all tracks."""
    total = Track.objects.count()
    counts = sorted(mood_counts().items(), key=lambda item: (-item[1], item[0]))
    return [
        {
            "mood": mood,
            "count": count,
            "percentage": round(100 * count / total, 1) if total else 0.0,
        }
        for mood, count in counts
    ]


def _pairs(tier: str) -> dict[tuple[str, str], int]:
    return {(first, second): n for first, second, n in rows(QUERIES["pairs"], [tier_key(tier)])}


def phi(both: int, first: int, second: int, total: int) -> float:
    """The phi coefficient (Pearson's r of two yes/no variables) from co-occurrence counts."""
    spread = first * (total - first) * second * (total - second)
    if spread <= 0:
        return 0.0
    return (total * both - first * second) / math.sqrt(spread)


def mood_correlations(top_n: int = 20) -> dict[str, dict[str, float]]:
    """The `top_n` strongest pairwise correlations (by |r|) between moods, both ways."""
    total = Track.objects.count()
    counts = mood_counts()
    moods = sorted(counts)
    together = _pairs(HAS_MOOD_TIER)
    pairs = [
        (a, b, phi(together.get((a, b), 0), counts[a], counts[b], total))
        for i, a in enumerate(moods)
        for b in moods[i + 1 :]
    ]
    pairs.sort(key=lambda item: (-abs(item[2]), item[0], item[1]))
    found: dict[str, dict[str, float]] = defaultdict(dict)
    for a, b, r in pairs[:top_n]:
        found[a][b] = found[b][a] = round(r, 3)
    return dict(found)


def mood_tier_shares() -> dict[str, dict[str, float]]:
    """Per mood: the share of its tracks (at any tier) that reach each tier, under our tier
    names and the reference's `tier_s`/`tier_a`."""
    by_tier = {tier: mood_counts(tier) for tier in TIERS}
    found = {}
    for mood, anywhere in sorted(by_tier["loose"].items()):
        shares = {tier: round(by_tier[tier].get(mood, 0) / anywhere, 3) for tier in TIERS}
        found[mood] = {**shares, **{ref: shares[ours] for ref, ours in REFERENCE_TIER_KEYS.items()}}
    return found

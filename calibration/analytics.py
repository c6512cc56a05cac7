"""Library analytics, computed by aggregate queries in the database over the namespace tags each
track's file carries (`Track.namespace_tags`, what media servers see): tag frequencies, the
mood distribution and mood correlations.

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


# Every query is a constant; only values travel as parameters.
QUERIES = {
    "sqlite": {
        "frequencies": "SELECT e.key, COUNT(*), COUNT(DISTINCT e.value) "
        "FROM library_track t, json_each(t.namespace_tags) e WHERE substr(e.key, 1, %s) = %s "
        "GROUP BY e.key ORDER BY COUNT(*) DESC, e.key LIMIT %s",
        "moods": "SELECT value, COUNT(DISTINCT track_id) FROM ("
        "SELECT t.id AS track_id, e.value AS value FROM library_track t, "
        "json_each(t.namespace_tags, '$.\"' || %s || '\"') e) m GROUP BY value",
        "pairs": "SELECT a.value, b.value, COUNT(*) FROM ("
        "SELECT t.id AS track_id, e.value AS value FROM library_track t, "
        "json_each(t.namespace_tags, '$.\"' || %s || '\"') e) a JOIN ("
        "SELECT t.id AS track_id, e.value AS value FROM library_track t, "
        "json_each(t.namespace_tags, '$.\"' || %s || '\"') e) b "
        "ON a.track_id = b.track_id AND a.value < b.value GROUP BY a.value, b.value",
    },
    "postgresql": {
        "frequencies": "SELECT e.key, COUNT(*), COUNT(DISTINCT e.value) "
        "FROM library_track t, jsonb_each_text(t.namespace_tags) AS e(key, value) "
        "WHERE substr(e.key, 1, %s) = %s GROUP BY e.key ORDER BY COUNT(*) DESC, e.key LIMIT %s",
        "moods": "SELECT value, COUNT(DISTINCT track_id) FROM ("
        "SELECT t.id AS track_id, e.value AS value FROM library_track t, "
        "jsonb_array_elements_text(CASE jsonb_typeof(t.namespace_tags -> %s) "
        "WHEN 'array' THEN t.namespace_tags -> %s "
        "ELSE jsonb_build_array(t.namespace_tags -> %s) END) AS e(value) "
        "WHERE jsonb_exists(t.namespace_tags, %s)) m GROUP BY value",
        "pairs": "SELECT a.value, b.value, COUNT(*) FROM ("
        "SELECT t.id AS track_id, e.value AS value FROM library_track t, "
        "jsonb_array_elements_text(CASE jsonb_typeof(t.namespace_tags -> %s) "
        "WHEN 'array' THEN t.namespace_tags -> %s "
        "ELSE jsonb_build_array(t.namespace_tags -> %s) END) AS e(value) "
        "WHERE jsonb_exists(t.namespace_tags, %s)) a JOIN ("
        "SELECT t.id AS track_id, e.value AS value FROM library_track t, "
        "jsonb_array_elements_text(CASE jsonb_typeof(t.namespace_tags -> %s) "
        "WHEN 'array' THEN t.namespace_tags -> %s "
        "ELSE jsonb_build_array(t.namespace_tags -> %s) END) AS e(value) "
        "WHERE jsonb_exists(t.namespace_tags, %s)) b "
        "ON a.track_id = b.track_id AND a.value < b.value GROUP BY a.value, b.value",
    },
}


def _query(name: str, key: str | None = None, times: int = 1) -> tuple[str, list[Any]]:
    """The vendor's query and the tag key repeated as often as it takes it."""
    vendor = "postgresql" if connection.vendor == "postgresql" else "sqlite"
    per_key = 4 if vendor == "postgresql" else 1
    return QUERIES[vendor][name], [key] * per_key * times if key is not None else []


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
    sql, _none = _query("frequencies")
    return [
        {"tag_key": key, "total_count": total, "unique_values": unique}
        for key, total, unique in rows(sql, [len(prefix), prefix, limit])
    ]


def tier_key(tier: str) -> str:
    return f"{namespace()}:mood-{tier}"


def value_counts(key: str) -> dict[str, int]:
    """Tracks per value of one namespace tag (a list counts each of its values)."""
    sql, params = _query("moods", key)
    return {value: count for value, count in rows(sql, params)}


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
    sql, params = _query("pairs", tier_key(tier), times=2)
    return {(first, second): n for first, second, n in rows(sql, params)}


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

"""Analytics benchmark: a synthetic library of tracks with stored scores and the tags a
calibrated tagging would have written; p50/p95 of the three analytics endpoints, a playlist
preview and a calibration run, beside the mood aggregate as raw SQL (over every track's JSON
tags, and over the tag index) in the same run.

    .venv/bin/python -m benchmarks.analytics [--tracks 100000] [--repeat 20] [--keep]

Uses a private data dir (SQLite) unless DATABASE_URL is set. Not run by the tests.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MOODS = {
    "mood_happy": ("happy", "non_happy"),
    "mood_sad": ("non_sad", "sad"),
    "mood_party": ("non_party", "party"),
    "mood_relaxed": ("non_relaxed", "relaxed"),
    "mood_aggressive": ("aggressive", "not_aggressive"),
    "danceability": ("danceable", "not_danceable"),
}
GENRES = tuple(f"Genre---Style{i}" for i in range(12))
BATCH = 5000


def setup_django(data_dir: Path) -> None:
    os.environ["NOMARR_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nomarr_site.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def results_for(generator: random.Random):
    from library.tagging.pipeline import HeadResult

    results = []
    for head, classes in MOODS.items():
        first = generator.betavariate(2, 5) if head != "danceability" else generator.random()
        std = generator.random() * 0.2
        results.append(
            HeadResult(
                head,
                head,
                f"{head}-discogs-effnet-1.pb",
                "",
                "",
                "",
                classes,
                (first, 1 - first),
                (std, std),
                10,
            )  # fmt: skip
        )
    weights = [generator.random() for _ in GENRES]
    total = sum(weights)
    results.append(
        HeadResult(
            "genre_discogs400",
            "genre_discogs400",
            "genre_discogs400-discogs-effnet-1.pb",
            "",
            "",
            "",
            GENRES,
            tuple(w / total for w in weights),
            tuple(0.0 for _ in GENRES),
            10,
        )  # fmt: skip
    )
    return results


def populate(count: int) -> None:
    """Tracks and their raw scores (what tagging stores); scores through executemany, as the
    ORM's bulk_create of millions of rows takes longer than everything measured after it."""
    from django.db import connection, transaction

    from library.models import Library, Track

    library = Library.objects.create(name="Bench", root_path="/bench/music")
    generator = random.Random(42)
    insert = (
        "INSERT INTO library_trackscore (track_id, head, label, score_mean, score_std, "
        "model_file, model_sha256, embedding_model, pipeline_version, created_at) "
        "VALUES (%s, %s, %s, %s, %s, %s, '', '', '', CURRENT_TIMESTAMP)"
    )
    for start in range(0, count, BATCH):
        with transaction.atomic():
            tracks = Track.objects.bulk_create(
                Track(
                    library=library,
                    path=f"/bench/music/{i:07d}.flac",
                    relative_path=f"{i:07d}.flac",
                    size=1,
                    mtime=1.0,
                    title=f"Track {i}",
                    artist=f"Artist {i % 997}",
                )  # fmt: skip
                for i in range(start, min(count, start + BATCH))
            )
            rows = [
                (track.pk, r.head, label, mean, std, r.model_file)
                for track in tracks
                for r in results_for(generator)
                for label, mean, std in zip(r.classes, r.mean, r.std, strict=True)
            ]
            with connection.cursor() as cursor:
                cursor.executemany(insert, rows)


def tag_from_scores(count: int) -> None:
    """Each track's namespace tags, derived with the calibration from the same scores
    `populate` stored (the same seed draws them again; no query per track)."""
    from library.models import Track
    from library.scanning.track_fields import stored_namespace
    from library.tagging.tag_file import current_rules
    from library.tagging.tag_values import derive_tags

    rules = current_rules()
    generator = random.Random(42)
    for start in range(0, count, BATCH):
        page = list(Track.objects.order_by("pk")[start : start + BATCH])
        for track in page:
            tags = derive_tags(results_for(generator), "p1-bench", "full", rules)
            track.namespace_tags = stored_namespace(tags)
            track.tagged_version = tags["nom:version"][0]
        Track.objects.bulk_update(page, ["namespace_tags", "tagged_version"])


def analyze() -> None:
    """On PostgreSQL, planner statistics for the rows just written, as autovacuum would
    gather within a minute or so (SQLite keeps none unless asked, and Nomarr never asks)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def percentiles(seconds: list[float]) -> tuple[float, float]:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def timings(func, repeat: int, cold: bool) -> list[float]:
    from django.core.cache import cache

    from calibration import tagcache

    seconds = []
    for _ in range(repeat):
        if cold:
            tagcache.bump()  # as after a tag write: the cached answers are out of date
            cache.clear()  # and nothing else cached either
        start = time.perf_counter()
        func()
        seconds.append(time.perf_counter() - start)
    return seconds


def measure(label: str, func, repeat: int) -> None:
    """Cold: every call recomputes (the tags' generation bumped and the cache cleared before
    it); warm: the cached answer of the same generation (calibration/tagcache.py)."""
    func()
    cold = percentiles(timings(func, repeat, True))
    warm = percentiles(timings(func, repeat, False))
    print(
        f"  {label:<36} cold p50 {cold[0]:7.1f} p95 {cold[1]:7.1f} ms"
        f"   warm p50 {warm[0]:6.1f} p95 {warm[1]:6.1f} ms"
    )


# The mood distribution's aggregate straight over every track's JSON tags, as Nomarr computed
# it before the tag index (one raw statement on a cursor, no Django around it).
JSON_MOODS = {
    "sqlite": "SELECT value, COUNT(DISTINCT track_id) FROM (SELECT t.id AS track_id, "
    "e.value AS value FROM library_track t, json_each(t.namespace_tags, '$.\"' || %s || '\"') e) "
    "m GROUP BY value",
    "postgresql": "SELECT value, COUNT(DISTINCT track_id) FROM (SELECT t.id AS track_id, "
    "e.value AS value FROM library_track t, jsonb_array_elements_text(CASE "
    "jsonb_typeof(t.namespace_tags -> %s) WHEN 'array' THEN t.namespace_tags -> %s "
    "ELSE jsonb_build_array(t.namespace_tags -> %s) END) AS e(value) "
    "WHERE jsonb_exists(t.namespace_tags, %s)) m GROUP BY value",
}


def raw_json_baseline() -> None:
    """The mood distribution's aggregate over the JSON tags, as one raw SQL statement."""
    from django.db import connection

    vendor = "postgresql" if connection.vendor == "postgresql" else "sqlite"
    params = ["nom:mood-regular"] * (4 if vendor == "postgresql" else 1)
    with connection.cursor() as cursor:
        cursor.execute(JSON_MOODS[vendor], params)
        cursor.fetchall()


def raw_index_baseline() -> None:
    """The same aggregate over the tag index, as one raw SQL statement."""
    from django.db import connection

    from calibration.analytics import QUERIES

    with connection.cursor() as cursor:
        cursor.execute(QUERIES["moods"], ["nom:mood-regular"])
        cursor.fetchall()


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def client():
    from datetime import timedelta

    from rest_framework.test import APIClient

    from nomarr_site.auth import passwords
    from nomarr_site.models import AuthToken

    passwords.set_password("Bench-Password-1", allow_replace=True)
    _token, clear = AuthToken.issue(passwords.admin(), timedelta(hours=1))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {clear}")
    return api


def get(api, url: str):
    def call():
        response = api.get(url)
        assert response.status_code == 200, response.content[:300]

    return call


def post(api, url: str, body: dict):
    def call():
        response = api.post(url, body, format="json")
        assert response.status_code == 200, response.content[:300]

    return call


def run(args) -> None:
    from calibration.build import build

    print(f"Creating {args.tracks} tracks with scores ...")
    start = time.perf_counter()
    populate(args.tracks)
    print(f"  done in {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    run_ = build()
    print(f"Calibration run (first, {run_.heads} heads): {time.perf_counter() - start:.2f} s")
    print("Deriving tags from the stored scores ...")
    start = time.perf_counter()
    tag_from_scores(args.tracks)
    print(f"  done in {time.perf_counter() - start:.1f} s (the tag index kept by triggers)")
    analyze()
    api = client()
    print(f"Timings over {args.repeat} calls each ({load()}):")
    measure("raw SQL, JSON tags (baseline)", raw_json_baseline, args.repeat)
    measure("raw SQL, tag index (baseline)", raw_index_baseline, args.repeat)
    measure("GET analytics/tag-frequencies", get(api, "/api/web/analytics/tag-frequencies"),
            args.repeat)  # fmt: skip
    measure("GET analytics/mood-distribution", get(api, "/api/web/analytics/mood-distribution"),
            args.repeat)  # fmt: skip
    measure("GET analytics/tag-correlations", get(api, "/api/web/analytics/tag-correlations"),
            args.repeat)  # fmt: skip
    query = {"query": "nom:mood_happy is true and nom:danceability > 0.5", "preview_limit": 10}
    measure("POST navidrome/playlists/preview",
            post(api, "/api/web/navidrome/playlists/preview", query), args.repeat)  # fmt: skip
    # A negation that matches about 40% of the library: the broad case of the same endpoint.
    broad = {"query": "nom:mood_party is false and nom:danceability > 0.5", "preview_limit": 10}
    measure("POST playlists/preview (broad, not)",
            post(api, "/api/web/navidrome/playlists/preview", broad), args.repeat)  # fmt: skip
    runs = timings(build, max(3, args.repeat // 5), False)
    p50, p95 = percentiles(runs)
    print(f"  {'calibration run':<36} p50 {p50:7.1f} p95 {p95:7.1f} ms")
    print(f"Done ({load()}).")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the data dir")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="nomarr-analytics-bench-"))
    try:
        setup_django(work / "data")
        from nomarr_site import config

        config.set_value("calibration_min_samples", 2)
        run(args)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

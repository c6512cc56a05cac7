"""The tag index (`TrackTag` rows and the per-value and per-pair counts) stays in step with
`Track.namespace_tags` through every path that writes them: tagging, recalibration, a rescan
that reads changed tags, removal of vanished files, bulk and raw writes, cascading deletes; the
migration fills it from tracks tagged before it, and a lost trigger comes back after migrate."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from calibration.build import build
from calibration.recalibrate_job import apply
from jobs.transport import work_one
from library import tag_index
from library.models import Library, Track, TrackScore, TrackTag
from library.scanning.scanner import scan_library
from library.tagfiles.writer import FileStamp, write_tags
from library.tagging.tag_file import mark_tagged
from tests.calibration.conftest import store_scores, uniform
from tests.support.audio import make_audio

pytestmark = pytest.mark.django_db

NUMBER = re.compile(r"^[+-]?[0-9]*[.]?[0-9]+$")


def _values(value):
    return value if isinstance(value, list) else [value]


def expected_index():
    """The rows and counts recomputed in Python from every track's namespace_tags."""
    rows, wholes, pairs = set(), Counter(), Counter()
    for track_id, tags in Track.objects.values_list("id", "namespace_tags"):
        for key, value in tags.items():
            items = [str(v) for v in _values(value) if v is not None]
            if not items:
                continue
            is_list = isinstance(value, list)
            for position, item in enumerate(items):
                number = float(item) if NUMBER.match(item) else None
                listed = tuple(items) if is_list and position == 0 else None
                rows.add((track_id, key, item, number, position, listed))
            whole = tuple(items) if is_list else items[0]
            numeric = not is_list and bool(NUMBER.match(items[0]))
            wholes[(key, whole, is_list, numeric)] += 1
            if is_list:
                pairs.update((key, a, b) for a in items for b in items if a < b)
    return rows, wholes, pairs


def stored_index():
    """The same, as the database holds it."""
    rows = {
        (track, key, value, number, position, tuple(json.loads(listed)) if listed else None)
        for track, key, value, number, position, listed in TrackTag.objects.values_list(
            "track_id", "key", "value", "number", "position", "listed"
        )
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT key, whole, is_list, is_number, tracks FROM library_tagvaluecount "
            "WHERE tracks > 0"
        )
        wholes = Counter(
            {
                (key, tuple(json.loads(whole)) if is_list else whole, bool(is_list), bool(n)): t
                for key, whole, is_list, n, t in cursor.fetchall()
            }
        )
        cursor.execute("SELECT key, value_a, value_b, tracks FROM library_tagpaircount")
        pairs = Counter({(k, a, b): t for k, a, b, t in cursor.fetchall() if t > 0})
    return rows, wholes, pairs


def assert_in_step():
    expected, stored = expected_index(), stored_index()
    assert stored[0] == expected[0]
    assert stored[1] == expected[1]
    assert stored[2] == expected[2]


def add_track(library, name, tags):
    return Track.objects.create(
        library=library,
        path=f"{library.root_path}/{name}",
        relative_path=name,
        size=1,
        mtime=1.0,
        namespace_tags=tags,
    )


@pytest.fixture
def library(tmp_path):
    return Library.objects.create(name="Music", root_path=str(tmp_path / "music"))


def test_tagging_a_track_replaces_its_rows_and_moves_its_counts(library):
    track = add_track(library, "a.flac", {"nom:version": "p1;cal=none"})
    other = add_track(library, "b.flac", {"nom:version": "p1;cal=none", "nom:mood-regular": "sad"})
    tags = {
        "nom:mood_happy": ["0.9100"],
        "nom:mood-regular": ["happy", "party"],
        "nom:version": ["p1;cal=1"],
    }

    mark_tagged(track, FileStamp(track.size, track.mtime), "p1;cal=1", tags)

    assert_in_step()
    assert set(TrackTag.objects.filter(track=track).values_list("key", "value")) == {
        ("nom:mood_happy", "0.9100"),
        ("nom:mood-regular", "happy"),
        ("nom:mood-regular", "party"),
        ("nom:version", "p1;cal=1"),
    }
    assert TrackTag.objects.get(track=track, key="nom:mood_happy").number == 0.91
    assert TrackTag.objects.filter(track=other).count() == 2


def test_recalibration_rewrites_the_tiers_in_the_index(tmp_path):
    root = tmp_path / "music"
    path = make_audio(root / "a.flac", seconds=1, frequency=330)
    library = Library.objects.create(name="Music", root_path=str(root))
    scan_library(library, [str(path)], recursive=False)
    happy = uniform(100)
    store_scores(
        library, {"mood_happy": {"happy": happy, "non_happy": [1 - v for v in happy]}}, start=10
    )
    track = Track.objects.get(path=str(path))
    for label, score in (("happy", 0.99), ("non_happy", 0.01)):
        TrackScore.objects.create(
            track=track,
            head="mood_happy",
            label=label,
            score_mean=score,
            model_file="mood_happy-discogs-effnet-1.pb",
        )
    tags = {"nom:mood_happy": ["0.9900"], "nom:version": ["p1-abc;cal=none"]}
    mark_tagged(track, write_tags(path, tags, "nom").stamp, "p1-abc;cal=none", tags)
    build()

    apply()
    while work_one():
        pass

    assert_in_step()
    assert set(
        TrackTag.objects.filter(track=track, key__startswith="nom:mood-").values_list(
            "key", "value"
        )
    ) == {("nom:mood-strict", "happy"), ("nom:mood-regular", "happy"), ("nom:mood-loose", "happy")}
    assert TrackTag.objects.get(track=track, key="nom:version").value == "p1-abc;cal=1"


def test_a_rescan_reads_changed_tags_into_the_index_and_removal_takes_them_out(tmp_path):
    root = tmp_path / "music"
    first = make_audio(root / "a.flac", seconds=1, frequency=330)
    second = make_audio(root / "b.mp3", seconds=1, frequency=440)
    write_tags(first, {"nom:mood-regular": ["happy", "party"], "nom:energy": ["0.5"]}, "nom")
    write_tags(second, {"nom:mood-regular": ["happy"]}, "nom")
    library = Library.objects.create(name="Music", root_path=str(root))
    scan_library(library)
    assert_in_step()
    assert TrackTag.objects.filter(key="nom:mood-regular", value="party").count() == 1

    write_tags(first, {"nom:mood-regular": ["sad"], "nom:energy": ["0.75"]}, "nom")
    scan_library(library)

    assert_in_step()
    assert not TrackTag.objects.filter(value="party").exists()
    assert TrackTag.objects.get(key="nom:energy").number == 0.75

    second.unlink()
    scan_library(library, clean_missing=True)

    assert_in_step()
    assert set(TrackTag.objects.values_list("track__path", flat=True)) == {str(first)}


def test_bulk_and_raw_writes_and_cascading_deletes_keep_the_index_in_step(library):
    tracks = Track.objects.bulk_create(
        Track(
            library=library,
            path=f"{library.root_path}/{i}.flac",
            relative_path=f"{i}.flac",
            size=1,
            mtime=1.0,
            namespace_tags={"nom:mood-regular": ["happy", "sad"][: i % 3], "nom:n": f"{i}.5"},
        )
        for i in range(6)
    )
    assert_in_step()

    for track in tracks:
        track.namespace_tags = {"nom:mood-regular": ["party", "happy"], "nom:n": "x"}
    Track.objects.bulk_update(tracks[:3], ["namespace_tags"])
    assert_in_step()

    Track.objects.filter(pk=tracks[4].pk).update(namespace_tags={"other:tag": "kept"})
    assert_in_step()

    tracks[5].delete()
    assert_in_step()

    library.delete()
    assert_in_step()
    assert not TrackTag.objects.exists()


def test_unusual_values_are_indexed_as_python_reads_them(library):
    add_track(
        library,
        "odd.flac",
        {
            "nom:numbers": ["+.5", "-3", "1.2.3", "2024-01-01", "5.", "+-1", "07"],
            "nom:repeated": ["happy", "happy", "sad"],
            "nom:empty": [],
            "nom:nothing": None,
            "nom:unicode": "Ünïcødé – ✓",
            "nom:quote": 'say "hi"',
        },
    )
    add_track(library, "plain.flac", {"nom:numbers": "+.5"})

    assert_in_step()
    numbers = dict(TrackTag.objects.filter(key="nom:numbers").values_list("value", "number"))
    assert numbers == {
        "+.5": 0.5,
        "-3": -3.0,
        "1.2.3": None,
        "2024-01-01": None,
        "5.": None,
        "+-1": None,
        "07": 7.0,
    }


def test_the_fill_rebuilds_the_index_from_existing_tracks_in_batches(library):
    for i in range(7):
        add_track(library, f"{i}.flac", {"nom:mood-regular": ["happy", "sad"], "nom:i": str(i)})
    Track.objects.filter(relative_path__in=["2.flac", "3.flac"]).delete()  # ids with gaps
    expected = stored_index()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM library_tracktag")
        if connection.vendor != "postgresql":
            cursor.execute("DELETE FROM library_tagvaluecount")
            cursor.execute("DELETE FROM library_tagpaircount")
    assert stored_index() != expected

    assert tag_index.fill(connection, batch=2) == 5

    assert stored_index() == expected
    assert_in_step()


def test_a_lost_trigger_comes_back_after_migrate(library):
    suffix = " ON library_track" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER library_track_tags_update{suffix}")
    track = add_track(library, "a.flac", {"nom:x": "1"})

    tag_index.ensure_installed(connection.alias)
    Track.objects.filter(pk=track.pk).update(namespace_tags={"nom:x": "2"})

    assert_in_step()


def test_the_migration_fills_the_index_from_tracks_tagged_before_it(transactional_db, tmp_path):
    executor = MigrationExecutor(connection)
    executor.migrate([("library", "0008_download_queue")])
    old = executor.loader.project_state([("library", "0008_download_queue")]).apps
    library = old.get_model("library", "Library").objects.create(name="M", root_path="/m")
    for i in range(5):
        old.get_model("library", "Track").objects.create(
            library=library,
            path=f"/m/{i}.flac",
            relative_path=f"{i}.flac",
            size=1,
            mtime=1.0,
            namespace_tags={"nom:mood-regular": ["happy", "sad"][: i % 3], "nom:n": f"0.{i}"},
        )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes("library"))

    assert TrackTag.objects.count() == 5 + 4  # a number each, and 0, 1, 2, 0, 1 moods
    assert_in_step()

"""The tag index: database triggers that keep `TrackTag` rows (one per value of
`Track.namespace_tags`) in step with every write of the tags, and the per-value and per-pair
counts that analytics read (`library_tagvaluecount`, `library_tagpaircount`).

Triggers, not Python, because tags change through `save`, `bulk_create`, `bulk_update`, raw
`update` and cascading deletes alike, and a trigger runs in the same transaction for each.
On SQLite the counts are tables the triggers keep (one writer at a time, so counting rows
cannot deadlock); on PostgreSQL, where concurrent writers could, they are views over
`TrackTag`. Either way the same queries read them. A value is a number when it reads
`[+-]digits[.digits]` (the GLOBs below say the same as the PostgreSQL pattern).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger(__name__)

FILL_BATCH = 2000
TRIGGERS = ("library_track_tags_insert", "library_track_tags_update", "library_track_tags_delete")
NUMBER_PATTERN = "^[+-]?[0-9]*[.]?[0-9]+$"


def _sqlite_number(x: str) -> str:
    return (
        f"({x} GLOB '*[0-9]' AND {x} NOT GLOB '*[^0-9.+-]*' AND {x} NOT GLOB '?*[+-]*' "
        f"AND {x} NOT GLOB '*.*.*')"
    )


# The SQL below is built from constants only (no value ever enters it: S608 does not apply).
# `SOURCE` is a subquery of (id, tags): one track in a trigger, a range of tracks in `fill`.
SQLITE_ROWS = (
    "INSERT INTO library_tracktag (track_id, key, value, number, position, listed) "  # noqa: S608
    "SELECT t.id, e.key, CAST(v.value AS TEXT), "
    f"CASE WHEN v.type = 'text' AND {_sqlite_number('v.value')} THEN CAST(v.value AS REAL) END, "
    "CASE WHEN e.type = 'array' THEN v.key ELSE 0 END, "
    "CASE WHEN e.type = 'array' AND v.key = 0 THEN e.value END "
    "FROM SOURCE t, json_each(t.tags) e, "
    "json_each(CASE WHEN e.type = 'array' THEN e.value ELSE json_array(e.value) END) v "
    "WHERE json_type(t.tags) = 'object' AND v.type <> 'null'"
)
# A tag's whole value per track (a list as its JSON), as the values' counts key it.
SQLITE_WHOLES = (
    "SELECT e.key AS key, CAST(e.value AS TEXT) AS whole, e.type = 'array' AS is_list, "  # noqa: S608
    f"e.type = 'text' AND {_sqlite_number('e.value')} AS is_number "
    "FROM SOURCE t, json_each(t.tags) e WHERE json_type(t.tags) = 'object' "
    "AND e.type <> 'null' AND NOT (e.type = 'array' AND json_array_length(e.value) = 0)"
)
# Every two values of one list, smaller first (a repeated value pairs once per repetition).
SQLITE_PAIRS = (
    "SELECT e.key AS key, CAST(a.value AS TEXT) AS value_a, CAST(b.value AS TEXT) AS value_b "
    "FROM SOURCE t, json_each(t.tags) e, "
    "json_each(CASE WHEN e.type = 'array' THEN e.value ELSE '[]' END) a, "
    "json_each(CASE WHEN e.type = 'array' THEN e.value ELSE '[]' END) b "
    "WHERE json_type(t.tags) = 'object' AND a.type <> 'null' AND b.type <> 'null' "
    "AND CAST(a.value AS TEXT) < CAST(b.value AS TEXT)"
)
SQLITE_ADD = [
    SQLITE_ROWS,
    "INSERT INTO library_tagvaluecount (key, whole, is_list, is_number, tracks) "  # noqa: S608
    f"SELECT key, whole, is_list, is_number, COUNT(*) FROM ({SQLITE_WHOLES}) WHERE true "
    "GROUP BY key, whole, is_list ON CONFLICT (key, whole, is_list) "
    "DO UPDATE SET tracks = tracks + excluded.tracks",
    "INSERT INTO library_tagpaircount (key, value_a, value_b, tracks) "  # noqa: S608
    f"SELECT key, value_a, value_b, COUNT(*) FROM ({SQLITE_PAIRS}) WHERE true "
    "GROUP BY key, value_a, value_b ON CONFLICT (key, value_a, value_b) "
    "DO UPDATE SET tracks = tracks + excluded.tracks",
]
SQLITE_REMOVE = [
    "DELETE FROM library_tracktag WHERE track_id = OLD.id",
    "UPDATE library_tagvaluecount SET tracks = tracks - 1 WHERE (key, whole, is_list) IN "  # noqa: S608
    f"(SELECT key, whole, is_list FROM ({SQLITE_WHOLES}))",
    "DELETE FROM library_tagvaluecount WHERE tracks <= 0 AND (key, whole, is_list) IN "  # noqa: S608
    f"(SELECT key, whole, is_list FROM ({SQLITE_WHOLES}))",
    "UPDATE library_tagpaircount SET tracks = tracks - (SELECT COUNT(*) FROM "  # noqa: S608
    f"({SQLITE_PAIRS}) p WHERE p.key = library_tagpaircount.key "
    "AND p.value_a = library_tagpaircount.value_a AND p.value_b = library_tagpaircount.value_b) "
    f"WHERE (key, value_a, value_b) IN (SELECT key, value_a, value_b FROM ({SQLITE_PAIRS}))",
    "DELETE FROM library_tagpaircount WHERE tracks <= 0 AND (key, value_a, value_b) IN "  # noqa: S608
    f"(SELECT key, value_a, value_b FROM ({SQLITE_PAIRS}))",
]
SQLITE_NEW = "(SELECT NEW.id AS id, NEW.namespace_tags AS tags)"
SQLITE_OLD = "(SELECT OLD.id AS id, OLD.namespace_tags AS tags)"
RANGE = "(SELECT id, namespace_tags AS tags FROM library_track WHERE id > %s AND id <= %s)"
# How many and up to which id the next `batch` tracks after an id go (keyset paging: gaps in
# the ids cost nothing).
NEXT_BATCH = (
    "SELECT COUNT(*), MAX(id) FROM "
    "(SELECT id FROM library_track WHERE id > %s ORDER BY id LIMIT %s) b"
)


def _body(statements: list[str], source: str) -> str:
    return "; ".join(s.replace("SOURCE", source) for s in statements)


SQLITE_INSTALL = [
    "CREATE TABLE IF NOT EXISTS library_tagvaluecount (key TEXT NOT NULL, whole TEXT NOT NULL, "
    "is_list INTEGER NOT NULL, is_number INTEGER NOT NULL, tracks INTEGER NOT NULL, "
    "PRIMARY KEY (key, whole, is_list)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS library_tagpaircount (key TEXT NOT NULL, value_a TEXT NOT NULL, "
    "value_b TEXT NOT NULL, tracks INTEGER NOT NULL, PRIMARY KEY (key, value_a, value_b)) "
    "WITHOUT ROWID",
    # Covering: per-value counts and "has this value" lookups read only the index. Not on
    # PostgreSQL, whose B-tree entries are limited to about 2.7 kB and a value can be longer.
    "CREATE INDEX IF NOT EXISTS tracktag_key_value ON library_tracktag (key, value, track_id)",
    "CREATE TRIGGER IF NOT EXISTS library_track_tags_insert AFTER INSERT ON library_track "
    f"BEGIN {_body(SQLITE_ADD, SQLITE_NEW)}; END",
    "CREATE TRIGGER IF NOT EXISTS library_track_tags_update AFTER UPDATE OF namespace_tags "
    "ON library_track WHEN OLD.namespace_tags IS NOT NEW.namespace_tags "
    f"BEGIN {_body(SQLITE_REMOVE, SQLITE_OLD)}; {_body(SQLITE_ADD, SQLITE_NEW)}; END",
    "CREATE TRIGGER IF NOT EXISTS library_track_tags_delete AFTER DELETE ON library_track "
    f"BEGIN {_body(SQLITE_REMOVE, SQLITE_OLD)}; END",
]
SQLITE_UNINSTALL = [
    *(f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGERS),
    "DROP INDEX IF EXISTS tracktag_key_value",
    "DROP TABLE IF EXISTS library_tagvaluecount",
    "DROP TABLE IF EXISTS library_tagpaircount",
]

PG_ROWS = (
    "INSERT INTO library_tracktag (track_id, key, value, number, position, listed) "
    "SELECT t.id, e.key, v.item #>> '{}', "
    "CASE WHEN jsonb_typeof(v.item) = 'string' AND (v.item #>> '{}') ~ 'PATTERN' "
    "THEN (v.item #>> '{}')::double precision END, v.n - 1, "
    "CASE WHEN jsonb_typeof(e.value) = 'array' AND v.n = 1 THEN e.value::text END "
    "FROM SOURCE t CROSS JOIN LATERAL jsonb_each(CASE jsonb_typeof(t.tags) WHEN 'object' "
    "THEN t.tags ELSE '{}'::jsonb END) e CROSS JOIN LATERAL jsonb_array_elements("
    "CASE jsonb_typeof(e.value) WHEN 'array' THEN e.value ELSE jsonb_build_array(e.value) END) "
    "WITH ORDINALITY v(item, n) WHERE jsonb_typeof(v.item) <> 'null'"
).replace("PATTERN", NUMBER_PATTERN)
PG_INSTALL = [
    # Planned afresh on each call: a plan cached while the table was small (a sequential scan
    # to find a track's rows) would stay while it grows to millions of rows.
    "CREATE OR REPLACE FUNCTION library_track_tag_rows() RETURNS trigger LANGUAGE plpgsql "  # noqa: S608
    "SET plan_cache_mode = force_custom_plan AS "
    "$body$ BEGIN IF TG_OP <> 'INSERT' THEN DELETE FROM library_tracktag WHERE track_id = OLD.id; "
    "END IF; IF TG_OP <> 'DELETE' THEN "
    + PG_ROWS.replace("SOURCE", "(SELECT NEW.id AS id, NEW.namespace_tags AS tags)")
    + "; END IF; RETURN NULL; END $body$",
    *(f"DROP TRIGGER IF EXISTS {name} ON library_track" for name in TRIGGERS),
    "CREATE TRIGGER library_track_tags_insert AFTER INSERT ON library_track FOR EACH ROW "
    "EXECUTE FUNCTION library_track_tag_rows()",
    "CREATE TRIGGER library_track_tags_update AFTER UPDATE OF namespace_tags ON library_track "
    "FOR EACH ROW WHEN (OLD.namespace_tags IS DISTINCT FROM NEW.namespace_tags) "
    "EXECUTE FUNCTION library_track_tag_rows()",
    "CREATE TRIGGER library_track_tags_delete AFTER DELETE ON library_track FOR EACH ROW "
    "EXECUTE FUNCTION library_track_tag_rows()",
    "CREATE OR REPLACE VIEW library_tagvaluecount AS SELECT key, COALESCE(listed, value) AS whole, "
    "listed IS NOT NULL AS is_list, bool_and(listed IS NULL AND number IS NOT NULL) AS is_number, "
    "COUNT(*) AS tracks FROM library_tracktag WHERE position = 0 "
    "GROUP BY key, COALESCE(listed, value), listed IS NOT NULL",
    "CREATE OR REPLACE VIEW library_tagpaircount AS SELECT a.key, a.value AS value_a, "
    "b.value AS value_b, COUNT(*) AS tracks FROM library_tracktag a JOIN library_tracktag b "
    "ON b.track_id = a.track_id AND b.key = a.key AND a.value < b.value "
    "GROUP BY a.key, a.value, b.value",
]
PG_UNINSTALL = [
    *(f"DROP TRIGGER IF EXISTS {name} ON library_track" for name in TRIGGERS),
    "DROP FUNCTION IF EXISTS library_track_tag_rows()",
    "DROP VIEW IF EXISTS library_tagvaluecount",
    "DROP VIEW IF EXISTS library_tagpaircount",
]


def _is_postgresql(connection: BaseDatabaseWrapper) -> bool:
    return connection.vendor == "postgresql"


def _execute(connection: BaseDatabaseWrapper, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the triggers and counts where they are missing (idempotent)."""
    _execute(connection, PG_INSTALL if _is_postgresql(connection) else SQLITE_INSTALL)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    _execute(connection, PG_UNINSTALL if _is_postgresql(connection) else SQLITE_UNINSTALL)


def fill(connection: BaseDatabaseWrapper, batch: int = FILL_BATCH) -> int:
    """Rebuild every track's rows and the counts from `Track.namespace_tags`, in the database,
    `batch` tracks (by id) per statement. Returns the number of tracks read."""
    postgresql = _is_postgresql(connection)
    statements = [PG_ROWS] if postgresql else SQLITE_ADD
    count = 0
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM library_tracktag")
        if not postgresql:
            cursor.execute("DELETE FROM library_tagvaluecount")
            cursor.execute("DELETE FROM library_tagpaircount")
        start = 0
        while True:
            cursor.execute(NEXT_BATCH, [start, batch])
            found, end = cursor.fetchone()
            if not found:
                break
            for statement in statements:
                cursor.execute(statement.replace("SOURCE", RANGE), [start, end])
            count, start = count + found, end
        if postgresql and count:
            # Planner statistics now, not when autovacuum next looks: without them PostgreSQL
            # takes the freshly filled table for empty and picks nested loops.
            cursor.execute("ANALYZE library_tracktag")
    logger.info("Tag index rebuilt from %d tracks", count)
    return count


def ensure_installed(using: str = "default", **kwargs: Any) -> None:
    """After every migrate (`post_migrate`): a later migration may rebuild `library_track`
    (SQLite alters a table by copying it), which drops its triggers; put them back."""
    connection = connections[using]
    if "library_tracktag" in connection.introspection.table_names():
        install(connection)

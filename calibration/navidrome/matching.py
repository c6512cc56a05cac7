"""Which tracks a smart playlist's criteria match, computed in the database the way Navidrome
computes it over its own copy of the same tags: a tag condition is "some value of the tag
satisfies it" (`exists`), its negations (isNot, notContains) are "no value does", numeric tags
compare as numbers, `contains` is a case-insensitive LIKE '%text%'."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import QuerySet

from calibration.navidrome.tags import TagInfo, catalogue
from calibration.tagcache import cached
from library.models import Track

# Each SQL fragment below is a constant; only values travel as parameters. A condition is
# "some value of the tag satisfies it", over the tag index's rows (`library.tag_index`). The
# unary + keeps SQLite from looking up every listed id in the wide track table: it walks a
# narrow index of tracks (by path for the first rows) and checks each id against the lists,
# 2-3x faster when a condition matches half the library.
HAS = (
    "+library_track.id {negate}IN (SELECT track_id FROM library_tracktag WHERE key = %s AND {test})"
)
LIKE = {"sqlite": "value LIKE %s", "postgresql": "value ILIKE %s"}
COMPARE = {"is": "=", "isNot": "=", "gt": ">", "lt": "<"}


def _vendor() -> str:
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


class Matcher:
    def __init__(self, tags: dict[str, TagInfo]):
        self.by_field = {info.field: info for info in tags.values()}
        self.vendor = _vendor()

    def sql(self, rule: dict[str, Any]) -> tuple[str, list[Any]]:
        ((name, body),) = rule.items()
        if name in ("all", "any"):
            parts = [self.sql(child) for child in body]
            if not parts:
                return ("1=1" if name == "all" else "1=0"), []
            joiner = " AND " if name == "all" else " OR "
            return "(" + joiner.join(p for p, _ in parts) + ")", [a for _, p in parts for a in p]
        ((field, value),) = body.items()
        return self._condition(name, self.by_field[field], value)

    def _condition(self, name: str, info: TagInfo, value: Any) -> tuple[str, list[Any]]:
        param: Any
        if name in ("contains", "notContains"):
            test, param = LIKE[self.vendor], f"%{value}%"
        elif info.numeric:
            test, param = f"number {COMPARE[name]} %s", float(value)
        else:
            test, param = f"value {COMPARE[name]} %s", str(value)
        negate = "NOT " if name in ("isNot", "notContains") else ""
        return HAS.format(negate=negate, test=test), [info.key, param]


def matching(rule: dict[str, Any], tags: dict[str, TagInfo] | None = None) -> QuerySet[Track]:
    """The tracks the criteria match (any order)."""
    where, params = Matcher(catalogue() if tags is None else tags).sql(rule)
    return Track.objects.extra(where=[where], params=params)  # noqa: S610 - constant SQL


def preview(rule: dict[str, Any], limit: int, tags: dict[str, TagInfo]) -> dict[str, Any]:
    """How many tracks match, and the first `limit` by path (cached under the tags'
    generation, see calibration.tagcache)."""

    def run() -> dict[str, Any]:
        tracks = matching(rule, tags)
        found = tracks.order_by("path").values("path", "title", "artist")[:limit]
        return {"matched_tracks": tracks.count(), "preview": list(found)}

    return cached("preview", [rule, limit], run)

"""The namespace tags the library's files carry, as Navidrome sees them: each tag's field name
(the `[Tags.<name>]` table key; smart playlists use it lower-cased), its type (`float` when
every value is a number, else text) and whether it holds several values; and the TOML to paste
into `navidrome.toml`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from calibration.analytics import namespace, rows

# Per tag key: tracks carrying it, distinct values, tracks whose value is a number, tracks
# holding a list; from the per-value counts of the tag index (`library.tag_index`).
CATALOGUE = (
    "SELECT key, SUM(tracks), COUNT(DISTINCT whole), "
    "SUM(CASE WHEN is_number THEN tracks ELSE 0 END), "
    "SUM(CASE WHEN is_list THEN tracks ELSE 0 END) "
    "FROM library_tagvaluecount WHERE substr(key, 1, %s) = %s AND tracks > 0 "
    "GROUP BY key ORDER BY key"
)
# The same for one tag: an index range on SQLite, and on PostgreSQL the key filter reaches
# into the counts' view, which then aggregates only that tag's rows.
ONE_TAG = (
    "SELECT key, SUM(tracks), COUNT(DISTINCT whole), "
    "SUM(CASE WHEN is_number THEN tracks ELSE 0 END), "
    "SUM(CASE WHEN is_list THEN tracks ELSE 0 END) "
    "FROM library_tagvaluecount WHERE key = %s AND tracks > 0 GROUP BY key"
)
NOT_FIELD = re.compile(r"[^a-z0-9_]")


@dataclass(frozen=True)
class TagInfo:
    key: str  # as stored and written: "nom:mood_happy"
    total: int
    unique: int
    numeric: bool
    multivalue: bool

    @property
    def field(self) -> str:
        """Navidrome's name for it: the table key, which criteria use lower-cased."""
        return field_name(self.key)

    @property
    def kind(self) -> str:
        return "float" if self.numeric else "text"


def field_name(key: str) -> str:
    return NOT_FIELD.sub("_", key.lower())


def summary(key: str) -> str:
    """A human name: "nom:mood_happy" -> "Mood: Happy", "nom:mood-strict" -> "Mood: Strict"."""
    words = [w for w in re.split(r"[_\-]+", key.split(":", 1)[-1]) if w]
    if not words:
        return key
    head, rest = words[0].capitalize(), " ".join(w.capitalize() for w in words[1:])
    return f"{head}: {rest}" if rest else head


def catalogue(keys: Iterable[str] | None = None) -> dict[str, TagInfo]:
    """Every namespace tag in the library, by key; with `keys`, only those of them the library
    has (what a query names: cheaper than every tag)."""
    prefix = f"{namespace()}:"
    if keys is None:
        found = rows(CATALOGUE, [len(prefix), prefix])
    else:
        wanted = sorted({key for key in keys if key.startswith(prefix)})
        found = [row for key in wanted for row in rows(ONE_TAG, [key])]
    infos = {}
    for key, total, unique, numeric, multi in found:
        # SUM is a decimal on PostgreSQL.
        total, numeric, multi = int(total), int(numeric), int(multi)
        infos[key] = TagInfo(key, total, unique, numeric == total and total > 0, multi > 0)
    return infos


def preview() -> dict[str, Any]:
    tags = catalogue().values()
    return {
        "namespace": namespace(),
        "tag_count": len(tags),
        "tags": [
            {
                "tag_key": tag.key,
                "field": tag.field,
                "type": tag.kind,
                "is_multivalue": tag.multivalue,
                "summary": summary(tag.key),
                "total_count": tag.total,
            }
            for tag in tags
        ],
    }


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def toml() -> str:
    """One `[Tags.<field>]` table per tag: its alias (the key in the files), `Type = "float"`
    for numbers (without it Navidrome compares numbers as text and matches everything) and
    `Split` for tags holding several values."""
    lines = [
        "# Nomarr's tags for Navidrome: add to navidrome.toml, then run a full scan.",
        "# Smart playlists name each tag by its table key, e.g. nom_mood_happy.",
    ]
    for tag in catalogue().values():
        lines += ["", f"[Tags.{tag.field}]", f"Aliases = [{_quoted(tag.key)}]"]
        if tag.numeric:
            lines.append('Type = "float"')
        if tag.multivalue:
            lines.append('Split = [";"]')
    return "\n".join(lines) + "\n"

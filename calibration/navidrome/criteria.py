"""From a parsed query to Navidrome's smart-playlist criteria (only operators its source
accepts: is, isNot, gt, lt, contains, notContains inside all/any), and the `.nsp` file.

Navidrome has no `not`, no >=, <= and no range on tags (its inTheRange reads a column, not a
tag), so: `not` is pushed down (De Morgan; is <-> isNot, contains <-> notContains, a numeric
comparison becomes its complement); `>=` is "gt or is", `<=` "lt or is" and `between a and b`
both of those. For text operators Navidrome's negations match tracks without the tag; a numeric
comparison, negated or not, never matches a track without the tag.

`<ns>:mood_<label> is true` means "has the mood": `<ns>:mood-regular` holds the label.
"""

from __future__ import annotations

import json
from typing import Any

from calibration.analytics import HAS_MOOD_TIER, namespace
from calibration.navidrome.query import Comparison, Group, Node, Not, QueryError, parse
from calibration.navidrome.tags import TagInfo, catalogue, field_name

Rule = dict[str, Any]
SORT_FIELDS = {"random", "title", "album", "artist", "year", "dateadded", "playcount", "rating"}
MAX_LIMIT = 10000
NEGATED = {"is": "isNot", "isNot": "is", "contains": "notContains", "notContains": "contains"}


class Translator:
    def __init__(self, tags: dict[str, TagInfo]):
        self.tags = tags

    def rule(self, node: Node, negate: bool = False) -> Rule:
        if isinstance(node, Not):
            return self.rule(node.child, not negate)
        if isinstance(node, Group):
            kind = node.kind if not negate else {"all": "any", "any": "all"}[node.kind]
            return {kind: [self.rule(child, negate) for child in node.children]}
        return self.comparison(node, negate)

    def _tag(self, comparison: Comparison) -> TagInfo:
        info = self.tags.get(comparison.tag)
        if info is None:
            raise QueryError(
                f"Unknown tag '{comparison.tag}' at position {comparison.position}: no file in "
                "the library has it",
                details={"position": comparison.position, "tag": comparison.tag},
            )
        return info

    def comparison(self, node: Comparison, negate: bool) -> Rule:
        if isinstance(node.value, bool):
            return self.mood_flag(node, negate)
        info = self._tag(node)
        field = info.field
        if node.op in ("is", "isnot", "contains", "notcontains"):
            return self.text_rule(node, info, negate)
        if not info.numeric:
            raise QueryError(
                f"'{node.tag}' at position {node.position} holds text; compare it with is, "
                "is not or contains",
                details={"position": node.position, "tag": node.tag},
            )
        return numeric_rule(field, node.op, node.value, negate)

    def text_rule(self, node: Comparison, info: TagInfo, negate: bool) -> Rule:
        op = {"is": "is", "isnot": "isNot", "contains": "contains", "notcontains": "notContains"}
        name = op[node.op]
        if negate:
            name = NEGATED[name]
        value = node.value
        if info.numeric:
            if name in ("contains", "notContains") or not isinstance(value, float):
                raise QueryError(
                    f"'{node.tag}' at position {node.position} is a number; compare it with a "
                    "number (is, >, <, between)",
                    details={"position": node.position, "tag": node.tag},
                )
        elif isinstance(value, float):
            value = f"{value:g}"
        return {name: {info.field: value}}

    def mood_flag(self, node: Comparison, negate: bool) -> Rule:
        prefix = f"{namespace()}:mood_"
        if not node.tag.startswith(prefix) or node.op not in ("is", "isnot"):
            raise QueryError(
                f"true and false (position {node.position}) only go with a mood head, as in "
                f"{prefix}happy is true",
                details={"position": node.position},
            )
        tier = f"{namespace()}:mood-{HAS_MOOD_TIER}"
        if tier not in self.tags:
            raise QueryError(
                f"No file has mood tiers yet ({tier}): generate and apply a calibration first",
                details={"position": node.position, "tag": tier},
            )
        wanted = (node.op == "is") == node.value
        name = "is" if wanted != negate else "isNot"
        return {name: {field_name(tier): node.tag[len(prefix) :]}}


def numeric_rule(field: str, op: str, value: Any, negate: bool) -> Rule:
    if op == "between":
        low, high = value
        if negate:
            return {"any": [{"lt": {field: low}}, {"gt": {field: high}}]}
        return {
            "all": [numeric_rule(field, "ge", low, False), numeric_rule(field, "le", high, False)]
        }
    if negate:
        op = {"gt": "le", "ge": "lt", "lt": "ge", "le": "gt"}[op]
    if op in ("gt", "lt"):
        return {op: {field: value}}
    strict = "gt" if op == "ge" else "lt"
    return {"any": [{strict: {field: value}}, {"is": {field: value}}]}


def keys_named(query: str) -> set[str]:
    """The tags a query names, and the mood tier its `true`/`false` comparisons read: all the
    catalogue it needs (raises QueryError as `criteria` does)."""
    found = {f"{namespace()}:mood-{HAS_MOOD_TIER}"}
    pending = [parse(query)]
    while pending:
        node = pending.pop()
        if isinstance(node, Comparison):
            found.add(node.tag)
        elif isinstance(node, Not):
            pending.append(node.child)
        else:
            pending.extend(node.children)
    return found


def criteria(query: str, tags: dict[str, TagInfo] | None = None) -> Rule:
    """The top-level rule of a query: {"all": [...]} or {"any": [...]}."""
    rule = Translator(catalogue() if tags is None else tags).rule(parse(query))
    return rule if set(rule) <= {"all", "any"} else {"all": [rule]}


def playlist(
    query: str,
    name: str,
    comment: str = "",
    limit: int | None = None,
    sort: str = "random",
    order: str = "asc",
    public: bool = False,
) -> dict[str, Any]:
    """The `.nsp` document Navidrome imports as a smart playlist."""
    tags = catalogue()
    fields = {info.field for info in tags.values()}
    if sort.lower() not in SORT_FIELDS | fields:
        raise QueryError(f"Cannot sort by '{sort}'", field="sort")
    if order.lower() not in ("asc", "desc"):
        raise QueryError("order must be asc or desc", field="order")
    document: dict[str, Any] = {"name": name, "comment": comment, "public": public}
    document.update(criteria(query, tags))
    document.update({"sort": sort.lower(), "order": order.lower()})
    if limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
            raise QueryError(f"limit must be a whole number from 1 to {MAX_LIMIT}", field="limit")
        document["limit"] = limit
    return document


def nsp_text(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

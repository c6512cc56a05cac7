"""What the API and the page show of calibrations: the reference shape of `generate` (per head
the p5/p95 of its positive class, the classes in full beside it) and the run history with each
head's drift figures."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from calibration.build import current_references
from calibration.models import Calibration, HeadStats
from library.tagging.tag_values import positive_class


def class_stats(row: HeadStats) -> dict[str, Any]:
    return {
        "min": row.p5,
        "max": row.p95,
        "samples": row.samples,
        "median": row.median,
        "iqr": row.iqr,
        "calibration_version": row.calibration.version,
    }


def _primary(rows: list[HeadStats]) -> dict[str, Any]:
    """min/max/samples of the positive class (the only class of a regression head); a
    many-class head (genre) spans its classes' smallest p5 and largest p95."""
    labels = tuple(row.label for row in rows)
    positive = positive_class(labels)
    chosen = [row for row in rows if row.label == positive] or (rows if len(rows) == 1 else [])
    if chosen:
        row = chosen[0]
        return {"min": row.p5, "max": row.p95, "samples": row.samples, "label": row.label}
    return {
        "min": min(row.p5 for row in rows),
        "max": max(row.p95 for row in rows),
        "samples": max(row.samples for row in rows),
        "label": None,
    }


def head_data(run: Calibration) -> dict[str, dict[str, Any]]:
    """Per head of `run`: the calibration in effect after it (the head's reference), whether
    the head was stable in this run, and its drift figures per class."""
    references = current_references()
    by_head: dict[str, list[HeadStats]] = defaultdict(list)
    for row in run.stats.select_related("calibration").order_by("head", "label"):
        by_head[row.head].append(row)
    data = {}
    for head, rows in by_head.items():
        in_effect = [references.get((head, row.label), row) for row in rows]
        data[head] = {
            **_primary(in_effect),
            "stable": rows[0].stable,
            "reference_version": in_effect[0].calibration.version,
            "classes": {row.label: class_stats(row) for row in in_effect},
            "drift": {row.label: row.drift for row in rows},
        }
    return data


def run_json(run: Calibration, heads: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "version": run.version,
        "created_at": run.created_at,
        "track_count": run.track_count,
        "heads": run.heads,
        "changed_heads": run.changed_heads,
    }
    if heads:
        body["drift"] = drift_history_of(run)
    return body


def drift_history_of(run: Calibration) -> dict[str, dict[str, Any]]:
    """Per head of one run: stable or not, and each class's figures (None: first run)."""
    found: dict[str, dict[str, Any]] = {}
    for row in run.stats.order_by("head", "label"):
        entry = found.setdefault(row.head, {"stable": row.stable, "classes": {}})
        entry["classes"][row.label] = row.drift
    return found

"""Geometry of the server-rendered SVG charts of the calibration and analytics pages: bars,
a correlation heat map and a score histogram with the calibration's p5/p95 marked. The
templates only place what these functions computed (SVG user units; the SVG scales)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

WIDTH = 360
LABEL_RIGHT = 124
BAR_LEFT = 130
BAR_SPAN = 180
ROW = 22
BAR = 14
LABEL_CHARS = 18
CELL = 26
HEAT_LEFT = 110
HEAT_TOP = 90
HIST_HEIGHT = 120
HIST_LEFT = 30
HIST_SPAN = 320


def short(label: str, chars: int = LABEL_CHARS) -> str:
    return label if len(label) <= chars else label[: chars - 1] + "…"


def bars(items: Sequence[tuple[str, float, str]]) -> dict[str, Any]:
    """Horizontal bars of (label, value, text shown) scaled to the largest value."""
    top = max((value for _l, value, _t in items), default=0) or 1
    rows = []
    for index, (label, value, text) in enumerate(items):
        y = 4 + index * ROW
        rows.append(
            {
                "label": label,
                "short": short(label),
                "y": y,
                "text_y": y + BAR - 3,
                "width": round(BAR_SPAN * value / top, 2),
                "text": text,
            }
        )
    return {
        "rows": rows,
        "width": WIDTH,
        "height": 8 + len(items) * ROW,
        "label_right": LABEL_RIGHT,
        "bar_left": BAR_LEFT,
        "bar_span": BAR_SPAN,
        "bar_height": BAR,
        "value_x": BAR_LEFT + BAR_SPAN + 6,
    }


def _heat_colour(r: float) -> str:
    """Blue for negative, red for positive correlations, white at 0."""
    strength = int(255 * (1 - min(1.0, abs(r))))
    return f"rgb(255,{strength},{strength})" if r >= 0 else f"rgb({strength},{strength},255)"


def heatmap(labels: Sequence[str], matrix: dict[str, dict[str, float]]) -> dict[str, Any]:
    """A square of cells, one per pair of labels (1 on the diagonal, blank where unknown)."""
    cells = []
    for row, first in enumerate(labels):
        for column, second in enumerate(labels):
            r = 1.0 if first == second else matrix.get(first, {}).get(second)
            cells.append(
                {
                    "x": HEAT_LEFT + column * CELL,
                    "y": HEAT_TOP + row * CELL,
                    "fill": "#f4f5f7" if r is None else _heat_colour(r),
                    "title": f"{first} / {second}: " + ("–" if r is None else f"{r:.2f}"),
                }
            )
    return {
        "labels": [
            {
                "short": short(label, 14),
                "row_y": HEAT_TOP + i * CELL + CELL / 2 + 4,
                "column_x": HEAT_LEFT + i * CELL + CELL / 2,
            }
            for i, label in enumerate(labels)
        ],
        "cells": cells,
        "cell": CELL - 2,
        "label_right": HEAT_LEFT - 6,
        "top": HEAT_TOP - 6,
        "width": HEAT_LEFT + len(labels) * CELL + 10,
        "height": HEAT_TOP + len(labels) * CELL + 10,
    }


def histogram(counts: Sequence[int], p5: float, p95: float) -> dict[str, Any]:
    """Columns of a 100-bin histogram on [0, 1], with the p5 and p95 lines."""
    top = max(counts, default=0) or 1
    step = HIST_SPAN / max(1, len(counts))
    columns = []
    for index, count in enumerate(counts):
        height = round(HIST_HEIGHT * count / top, 2)
        columns.append(
            {"x": round(HIST_LEFT + index * step, 2), "y": HIST_HEIGHT - height, "h": height}
        )

    def x(value: float) -> float:
        return round(HIST_LEFT + HIST_SPAN * min(1.0, max(0.0, value)), 2)

    return {
        "columns": columns,
        "step": round(step, 2),
        "p5_x": x(p5),
        "p95_x": x(p95),
        "p5": f"{p5:.3f}",
        "p95": f"{p95:.3f}",
        "axis_y": HIST_HEIGHT,
        "left": HIST_LEFT,
        "right": HIST_LEFT + HIST_SPAN,
        "width": HIST_LEFT + HIST_SPAN + 10,
        "height": HIST_HEIGHT + 18,
    }

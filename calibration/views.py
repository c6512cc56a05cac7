"""Pages of `calibration`: the calibration page (generate, apply, the queue and the run
history), the analytics page (server-rendered SVG charts) and the Navidrome page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from calibration import analytics, charts
from calibration.build import current_references
from calibration.current import effective_version
from calibration.models import Calibration, HeadStats
from calibration.navidrome import tags as navidrome_tags
from calibration.recalibrate_job import status
from calibration.stats import DRIFT_FIGURES
from library.tagging.tag_values import positive_class

RUNS_SHOWN = 10
HISTORY_SHOWN = 8
MOODS_SHOWN = 16
GENRES_SHOWN = 15


@login_required
def calibration_page(request):
    runs = Calibration.objects.order_by("-version")[:RUNS_SHOWN]
    context = {
        "active": "calibration",
        "version": effective_version(),
        "queue": status(),
        "runs": runs,
    }
    return render(request, "calibration/calibration.html", context)


def _primary_label(labels: list[str]) -> str:
    return positive_class(tuple(labels)) or labels[0]


def head_panels() -> list[dict[str, Any]]:
    """Per head: the newest histogram of its primary class with the reference's p5/p95, and
    its drift history (newest first)."""
    references = current_references()
    labels: dict[str, list[str]] = {}
    for head, label in sorted(references):
        labels.setdefault(head, []).append(label)
    panels = []
    for head, head_labels in labels.items():
        label = _primary_label(head_labels)
        reference = references[(head, label)]
        history = list(
            HeadStats.objects.filter(head=head, label=label)
            .select_related("calibration")
            .order_by("-calibration__version")[:HISTORY_SHOWN]
        )
        newest = history[0]
        panels.append(
            {
                "head": head,
                "label": label,
                "reference_version": reference.calibration.version,
                "chart": charts.histogram(newest.histogram, reference.p5, reference.p95),
                "history": [
                    {
                        "version": row.calibration.version,
                        "state": _state(row),
                        "figures": [(row.drift or {}).get(name) for name in DRIFT_FIGURES],
                    }
                    for row in history
                ],
            }
        )
    return panels


def _state(row: HeadStats) -> str:
    if row.stable:
        return "stable"
    return "first run" if row.drift is None else "drifted: new reference"


def _genre_counts() -> list[tuple[str, float, str]]:
    keys = [
        row["tag_key"]
        for row in analytics.tag_frequencies(200)
        if row["tag_key"].split(":", 1)[1].startswith("genre")
    ]
    if not keys:
        return []
    counts = analytics.value_counts(keys[0])
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:GENRES_SHOWN]
    return [(genre, count, str(count)) for genre, count in ranked]


@login_required
def analytics_page(request):
    moods = analytics.mood_distribution()[:MOODS_SHOWN]
    labels = [row["mood"] for row in moods]
    context = {
        "active": "analytics",
        "moods": charts.bars([(r["mood"], r["count"], f"{r['percentage']}%") for r in moods]),
        "genres": charts.bars(_genre_counts()),
        "heatmap": charts.heatmap(labels, analytics.mood_correlations(top_n=1000)),
        "heads": head_panels(),
        "figures": DRIFT_FIGURES,
    }
    return render(request, "calibration/analytics.html", context)


@login_required
def navidrome_page(request):
    """Build, preview and download smart playlists (navidrome.js) and copy the TOML."""
    preview = navidrome_tags.preview()
    context = {
        "active": "navidrome",
        "namespace": preview["namespace"],
        "tags": preview["tags"],
        "toml": navidrome_tags.toml(),
    }
    return render(request, "calibration/navidrome.html", context)

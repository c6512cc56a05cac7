"""Pages of `library`: libraries, processing (pick and queue files) and one track."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from jobs.models import Job
from jobs.subjects import Subject
from library.checks import models_dir
from library.models import Track, TrackScore
from library.tagging.model_suite import discover
from library.tagging.version import describe

# Geometry of the score charts, in SVG user units (the SVG scales to its container).
CHART_WIDTH = 360
LABEL_RIGHT = 124  # labels end here, bars start a little after
BAR_LEFT = 130
BAR_SPAN = 180
ROW_HEIGHT = 22
BAR_HEIGHT = 14
LABEL_CHARS = 18
# A head with hundreds of classes (genre_discogs400) would make an unreadable chart: it shows
# its strongest classes; the table below it still lists every class.
MAX_BARS = 12
RECENT_JOBS = 10  # the track page lists this many of the track's latest jobs


@login_required
def libraries_page(request):
    """The libraries page; the list, forms, scans and statistics run on the JSON API."""
    return render(request, "library/libraries.html", {"active": "libraries"})


@login_required
def processing_page(request):
    """Pick files or folders of a library and queue them; the work happens in processing.js."""
    return render(request, "library/processing.html", {"active": "processing"})


@login_required
def track_page(request, track_id: int):
    """One track: its fields, its latest jobs, and its raw scores as a table and as
    server-rendered SVG bars."""
    track = get_object_or_404(Track.objects.select_related("library"), pk=track_id)
    # Insertion order is the order of the head's classes in its metadata.
    scores = track.scores.order_by("head", "id")
    context = {
        "active": "libraries",
        "track": track,
        "duration": _clock(track.duration),
        "version_words": describe(
            track.tagged_version,
            _current_suite(),
            timezone.localtime(track.tagged_at).date() if track.tagged_at else None,
        ),
        "charts": head_charts(scores),
        "jobs": Job.objects.for_subject(Subject.of(track)).order_by("-created_at", "-id")[
            :RECENT_JOBS
        ],
    }
    return render(request, "library/track.html", context)


def _current_suite() -> str | None:
    """The suite version tagging would write now (None without usable models)."""
    suite = discover(models_dir())
    return suite.version if suite.heads else None


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    minutes, rest = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{rest:02d}" if hours else f"{minutes}:{rest:02d}"


def head_charts(scores: Iterable[TrackScore]) -> list[dict]:
    """Per head: its score rows for the table and the bar geometry for the SVG chart."""
    heads: dict[str, list[TrackScore]] = {}
    for score in scores:
        heads.setdefault(score.head, []).append(score)
    return [_chart(head, rows) for head, rows in heads.items()]


def _chart(head: str, rows: list[TrackScore]) -> dict:
    shown = rows
    if len(rows) > MAX_BARS:
        shown = sorted(rows, key=lambda s: s.score_mean, reverse=True)[:MAX_BARS]
    # Classifier scores lie in 0..1; a regression head may leave that range either way, so
    # the axis stretches to hold every mean ± spread and bars grow from zero.
    low_end = min([0.0, *(s.score_mean - s.score_std for s in shown)])
    high_end = max([1.0, *(s.score_mean + s.score_std for s in shown)])

    def x(value: float) -> float:
        return round(BAR_LEFT + BAR_SPAN * (value - low_end) / (high_end - low_end), 2)

    zero = x(0.0)
    bars = []
    for index, score in enumerate(shown):
        y = 4 + index * ROW_HEIGHT
        label = score.label or "value"
        end = x(score.score_mean)
        bars.append(
            {
                "label": label,
                "short": label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…",
                "y": y,
                "mid": y + BAR_HEIGHT / 2,
                "text_y": y + BAR_HEIGHT - 3,
                "x": min(zero, end),
                "width": round(abs(end - zero), 2),
                "low": x(score.score_mean - score.score_std),
                "high": x(score.score_mean + score.score_std),
                "mean": f"{score.score_mean:.3f}",
                "std": f"{score.score_std:.3f}",
            }
        )
    first = rows[0]
    return {
        "head": head,
        "embedding_model": first.embedding_model,
        "model_file": first.model_file,
        "pipeline_version": first.pipeline_version,
        "rows": [
            {
                "label": s.label or "value",
                "mean": f"{s.score_mean:.3f}",
                "std": f"{s.score_std:.3f}",
            }
            for s in rows
        ],
        "bars": bars,
        "truncated": len(rows) > len(shown),
        "width": CHART_WIDTH,
        "height": 8 + len(shown) * ROW_HEIGHT,
        "label_right": LABEL_RIGHT,
        "bar_left": BAR_LEFT,
        "bar_span": BAR_SPAN,
        "bar_height": BAR_HEIGHT,
        "zero": zero,
        "value_x": BAR_LEFT + BAR_SPAN + 6,
    }

"""Building a calibration run from the stored raw scores (never from inference): one sorted
stream over every score, the statistics per head and class, and per head the drift against its
current reference, which decides whether the head keeps that reference (stable) or this run
becomes its reference."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Max

from calibration.models import Calibration, HeadStats
from calibration.stats import DRIFT_FIGURES, Distribution, describe, drift, within
from library.models import TrackScore
from nomarr_site import config
from nomarr_site.domain import Conflict

logger = logging.getLogger(__name__)

CHUNK = 5000
Progress = Callable[[float, str], None]


class NotEnoughTracks(Conflict):
    """Too few tracks have stored scores for percentiles to mean anything."""


@dataclass
class HeadDecision:
    stable: bool
    figures: dict[tuple[str, str], dict[str, float] | None] = field(default_factory=dict)


def thresholds() -> dict[str, float]:
    """The drift thresholds (settings `calibration_drift_<figure>`)."""
    return {name: float(config.get(f"calibration_drift_{name}")) for name in DRIFT_FIGURES}


def scored_tracks() -> int:
    return TrackScore.objects.values("track").distinct().count()


def check_enough_tracks() -> int:
    """The number of tracks with scores, or NotEnoughTracks naming what is there and needed."""
    have, need = scored_tracks(), int(config.get("calibration_min_samples"))
    if have < need:
        raise NotEnoughTracks(
            f"A calibration needs stored scores of at least {need} tracks; the library has "
            f"{have}. Tag more tracks first (setting calibration_min_samples).",
            details={"tracks": have, "needed": need},
        )
    return have


def measure(progress: Progress | None = None) -> dict[tuple[str, str], Distribution]:
    """The distribution of every (head, label), from one stream sorted by head, label, score."""
    counts = {
        (row["head"], row["label"]): row["n"]
        for row in TrackScore.objects.values("head", "label").annotate(n=Count("id")).order_by()
    }
    total = sum(counts.values()) or 1
    rows = (
        TrackScore.objects.order_by("head", "label", "score_mean")
        .values_list("head", "label", "score_mean")
        .iterator(chunk_size=CHUNK)
    )
    found: dict[tuple[str, str], Distribution] = {}
    done = 0
    for key, group in itertools.groupby(rows, key=lambda row: (row[0], row[1])):
        found[key] = describe(_values(group), counts[key])
        done += counts[key]
        if progress is not None:
            progress(done / total, f"{key[0]} {key[1]}".strip())
    return found


def _values(group: Iterator[tuple[str, str, float]]) -> Iterator[float]:
    return (score for _head, _label, score in group)


def current_references() -> dict[tuple[str, str], HeadStats]:
    """The reference row in effect for each (head, label): the newest that became one."""
    rows = HeadStats.objects.filter(is_reference=True).select_related("calibration")
    found: dict[tuple[str, str], HeadStats] = {}
    for row in rows.order_by("head", "label", "-calibration__version"):
        found.setdefault((row.head, row.label), row)
    return found


def decide(
    head: str,
    measured: dict[tuple[str, str], Distribution],
    references: dict[tuple[str, str], HeadStats],
    limits: dict[str, float],
) -> HeadDecision:
    """A head is stable when it had a reference for exactly the same classes and every class
    passes every threshold."""
    keys = sorted(key for key in measured if key[0] == head)
    known = {key for key in references if key[0] == head}
    decision = HeadDecision(stable=bool(known) and known == set(keys))
    for key in keys:
        ref = references.get(key)
        if ref is None:
            decision.figures[key] = None
            continue
        figures = drift(measured[key], as_distribution(ref))
        decision.figures[key] = figures
        decision.stable = decision.stable and within(figures, limits)
    return decision


def as_distribution(row: HeadStats) -> Distribution:
    return Distribution(row.samples, row.p5, row.p95, row.median, row.iqr, list(row.histogram))


def build(progress: Progress | None = None) -> Calibration:
    """Measure, compare with the references and store a new run (one transaction)."""
    track_count = check_enough_tracks()
    measured = measure(progress)
    limits = thresholds()
    with transaction.atomic():
        references = current_references()
        heads = sorted({head for head, _label in measured})
        decisions = {head: decide(head, measured, references, limits) for head in heads}
        latest = Calibration.objects.aggregate(v=Max("version"))["v"] or 0
        run = Calibration.objects.create(
            version=latest + 1,
            track_count=track_count,
            heads=len(heads),
            changed_heads=sum(1 for d in decisions.values() if not d.stable),
        )
        for head in heads:
            _store_head(run, head, measured, references, decisions[head])
    logger.info("Calibration %s: %d heads, %d changed", run.version, run.heads, run.changed_heads)
    return run


def _store_head(
    run: Calibration,
    head: str,
    measured: dict[tuple[str, str], Distribution],
    references: dict[tuple[str, str], HeadStats],
    decision: HeadDecision,
) -> None:
    for key, figures in decision.figures.items():
        found = measured[key]
        row = HeadStats.objects.create(
            calibration=run,
            head=head,
            label=key[1],
            samples=found.samples,
            p5=found.p5,
            p95=found.p95,
            median=found.median,
            iqr=found.iqr,
            histogram=found.histogram,
            drift=figures,
            stable=decision.stable,
            is_reference=not decision.stable,
            reference=references.get(key) if decision.stable else None,
        )
        if not decision.stable:
            row.reference = row
            row.save(update_fields=["reference"])

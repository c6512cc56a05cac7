"""Distribution statistics of one class's raw scores, computed in one pass over its values in
ascending order (the database sorts them), and the drift figures between two distributions.

Percentiles interpolate linearly between the two nearest ranks, as numpy's default does:
the q-th percentile of n sorted values sits at rank (n - 1) * q / 100.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

BINS = 100
QUANTILES = (5, 25, 50, 75, 95)


@dataclass
class Distribution:
    samples: int
    p5: float
    p95: float
    median: float
    iqr: float
    histogram: list[int] = field(default_factory=list)


def bin_of(value: float) -> int:
    """The histogram bin of a raw score on [0, 1]; values outside count in the end bins."""
    return min(BINS - 1, max(0, int(math.floor(value * BINS))))


def _ranks(count: int) -> dict[int, tuple[int, int, float]]:
    """For each quantile: the lower and upper rank around its position, and the weight of the
    upper one."""
    ranks = {}
    for q in QUANTILES:
        position = (count - 1) * q / 100
        low = math.floor(position)
        ranks[q] = (low, min(low + 1, count - 1), position - low)
    return ranks


def describe(sorted_values: Iterable[float], count: int) -> Distribution:
    """Statistics of `count` values given in ascending order, holding only the few ranks the
    percentiles need (a stream from the database, however large)."""
    if count < 1:
        raise ValueError("a distribution needs at least one value")
    ranks = _ranks(count)
    wanted = {rank for low, high, _w in ranks.values() for rank in (low, high)}
    at: dict[int, float] = {}
    histogram = [0] * BINS
    seen = 0
    for index, value in enumerate(sorted_values):
        histogram[bin_of(value)] += 1
        if index in wanted:
            at[index] = value
        seen += 1
    if seen != count:
        raise ValueError(f"expected {count} values, got {seen}")
    value_of = {q: at[lo] + (at[hi] - at[lo]) * w for q, (lo, hi, w) in ranks.items()}
    return Distribution(
        samples=count,
        p5=value_of[5],
        p95=value_of[95],
        median=value_of[50],
        iqr=value_of[75] - value_of[25],
        histogram=histogram,
    )


def jensen_shannon(first: Sequence[int], second: Sequence[int]) -> float:
    """Jensen-Shannon divergence in bits (0 = same shape, 1 = no overlap) of two histograms,
    each normalised to a probability distribution."""
    total_a, total_b = sum(first), sum(second)
    if total_a == 0 or total_b == 0:
        return 0.0 if total_a == total_b else 1.0
    divergence = 0.0
    for a_count, b_count in zip(first, second, strict=True):
        a, b = a_count / total_a, b_count / total_b
        middle = (a + b) / 2
        if a > 0:
            divergence += 0.5 * a * math.log2(a / middle)
        if b > 0:
            divergence += 0.5 * b * math.log2(b / middle)
    return max(0.0, min(1.0, divergence))


DRIFT_FIGURES = ("p5", "p95", "spread", "js", "median", "iqr")


def drift(new: Distribution, reference: Distribution) -> dict[str, float]:
    """|Δp5|, |Δp95|, |Δ(p95 - p5)|, JS divergence, |Δmedian| and |ΔIQR|, rounded to 6
    decimals so equal inputs give byte-equal records."""
    figures = {
        "p5": abs(new.p5 - reference.p5),
        "p95": abs(new.p95 - reference.p95),
        "spread": abs((new.p95 - new.p5) - (reference.p95 - reference.p5)),
        "js": jensen_shannon(new.histogram, reference.histogram),
        "median": abs(new.median - reference.median),
        "iqr": abs(new.iqr - reference.iqr),
    }
    return {name: round(value, 6) for name, value in figures.items()}


def within(figures: dict[str, float], thresholds: dict[str, float]) -> bool:
    """Whether every drift figure is at most its threshold."""
    return all(figures[name] <= thresholds[name] for name in DRIFT_FIGURES)

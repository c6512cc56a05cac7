"""Distribution statistics on values with known percentiles, and drift figures against
hand-computed values."""

from __future__ import annotations

import math

import pytest

from calibration.stats import BINS, Distribution, describe, drift, jensen_shannon, within


def test_percentiles_of_evenly_spaced_values_are_exact():
    values = [i / 100 for i in range(101)]  # 0.00 .. 1.00

    found = describe(iter(values), len(values))

    assert found.samples == 101
    assert found.p5 == pytest.approx(0.05)
    assert found.p95 == pytest.approx(0.95)
    assert found.median == pytest.approx(0.5)
    assert found.iqr == pytest.approx(0.5)


def test_percentiles_interpolate_between_ranks_like_numpy():
    values = [1.0, 2.0, 4.0, 8.0]  # rank of p5: 0.15 -> 1 + 0.15; p95: 2.85 -> 4 + 0.85 * 4

    found = describe(iter(values), 4)

    assert found.p5 == pytest.approx(1.15)
    assert found.p95 == pytest.approx(7.4)
    assert found.median == pytest.approx(3.0)
    assert found.iqr == pytest.approx(5.0 - 1.75)


def test_a_single_value_is_every_percentile():
    found = describe(iter([0.3]), 1)

    assert (found.p5, found.median, found.p95, found.iqr) == (0.3, 0.3, 0.3, 0.0)


def test_the_histogram_has_100_bins_and_counts_the_ends_in_the_end_bins():
    found = describe(iter([-0.5, 0.0, 0.005, 0.01, 0.5, 0.999, 1.0, 1.5]), 8)

    assert len(found.histogram) == BINS
    assert found.histogram[0] == 3
    assert found.histogram[1] == 1
    assert found.histogram[50] == 1
    assert found.histogram[99] == 3
    assert sum(found.histogram) == 8


def test_a_count_that_does_not_match_the_stream_is_refused():
    with pytest.raises(ValueError, match="expected 3 values"):
        describe(iter([0.1, 0.2]), 3)


def test_jensen_shannon_is_zero_for_equal_shapes_and_one_bit_for_disjoint_ones():
    assert jensen_shannon([1, 2, 3], [2, 4, 6]) == 0.0
    assert jensen_shannon([5, 0], [0, 5]) == 1.0


def test_jensen_shannon_matches_a_hand_computed_value():
    # P = (1/2, 1/2), Q = (1, 0), M = (3/4, 1/4):
    # JS = 1/2 [1/2 log2(2/3) + 1/2 log2(2)] + 1/2 [log2(4/3)]
    expected = 0.5 * (0.5 * math.log2(2 / 3) + 0.5) + 0.5 * math.log2(4 / 3)

    assert jensen_shannon([1, 1], [1, 0]) == pytest.approx(expected)
    assert expected == pytest.approx(0.311278, abs=1e-6)


def test_drift_figures_are_the_hand_computed_differences():
    old = Distribution(100, 0.10, 0.90, 0.50, 0.40, [1, 1])
    new = Distribution(100, 0.12, 0.85, 0.47, 0.30, [1, 0])

    figures = drift(new, old)

    assert figures == {
        "p5": 0.02,
        "p95": 0.05,
        "spread": 0.07,  # 0.73 against 0.80
        "js": 0.311278,
        "median": 0.03,
        "iqr": 0.1,
    }


def test_a_figure_exactly_at_its_threshold_passes():
    limits = {"p5": 0.01, "p95": 0.01, "spread": 0.05, "js": 0.1, "median": 0.05, "iqr": 0.1}
    old = Distribution(10, 0.50, 0.60, 0.55, 0.05, [1])
    new = Distribution(10, 0.51, 0.61, 0.55, 0.05, [1])

    assert within(drift(new, old), limits)
    assert not within(drift(Distribution(10, 0.52, 0.61, 0.55, 0.05, [1]), old), limits)

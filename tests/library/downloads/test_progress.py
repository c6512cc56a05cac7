"""Download progress: the event numbers, the speed smoothed over the last seconds, the ETA,
and the throttle that keeps callbacks to a few a second."""

from __future__ import annotations

import pytest

from library.downloads.progress import MB, Meter, Progress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_event_gives_percent_with_one_decimal_and_sizes_in_mb_with_two():
    event = Progress(1_234_567, 3 * MB, 1.5 * MB, 12.6).as_event()

    assert event == {
        "percent": 39.2,
        "downloaded_mb": 1.18,
        "total_mb": 3.0,
        "speed_mbps": 1.5,
        "eta_seconds": 13,
    }


def test_an_unknown_size_or_speed_is_none_in_the_event_not_zero():
    event = Progress(10, None, None, None).as_event()

    assert event["percent"] is None and event["total_mb"] is None
    assert event["speed_mbps"] is None and event["eta_seconds"] is None


def test_percent_never_passes_100():
    assert Progress(120, 100, None, None).percent == 100.0


def test_speed_is_averaged_over_the_last_seconds_and_gives_the_eta():
    calls: list[Progress] = []
    clock = Clock()
    meter = Meter(calls.append, clock)
    total = 100 * MB
    for second in range(10):  # 1 MB/s for ten seconds, then 3 MB/s
        clock.now = 100.0 + second
        meter.update(second * MB, total)
    for second in range(1, 7):
        clock.now = 109.0 + second
        meter.update(9 * MB + second * 3 * MB, total)

    latest = calls[-1]
    assert latest.speed_bps == pytest.approx(3 * MB)  # the slow start is forgotten
    assert latest.eta_seconds == pytest.approx((total - 27 * MB) / (3 * MB))


def test_callbacks_come_at_most_four_times_a_second_and_always_at_the_end():
    calls: list[Progress] = []
    clock = Clock()
    meter = Meter(calls.append, clock)
    for step in range(100):  # 100 chunks in one second
        clock.now = 100.0 + step / 100
        meter.update(step * 1000, 100_000)
    meter.finish(100_000)

    assert len(calls) == 5  # at 0, 0.25, 0.5, 0.75 s, and the final one
    assert calls[-1].as_event()["percent"] == 100.0 and calls[-1].eta_seconds == 0


def test_a_restart_forgets_the_old_samples():
    calls: list[Progress] = []
    clock = Clock()
    meter = Meter(calls.append, clock)
    meter.update(50 * MB, 100 * MB)
    meter.restart()
    clock.now += 1
    meter.update(MB, 100 * MB)
    clock.now += 1
    meter.update(3 * MB, 100 * MB)

    assert calls[-1].speed_bps == pytest.approx(2 * MB)

"""Calibration runs from stored scores: known percentiles per head and class, the minimum
number of tracks, drift against the reference (a stable head keeps it), determinism, and the
`calibrate` job."""

from __future__ import annotations

import pytest

from calibration.build import NotEnoughTracks, build
from calibration.calibrate_job import queue_calibrate
from calibration.current import effective
from calibration.models import Calibration, HeadStats
from jobs.models import Job
from library.models import TrackScore
from nomarr_site import config
from tests.calibration.conftest import store_scores, uniform

pytestmark = pytest.mark.django_db


def happy_and_sad(n=101):
    happy = uniform(n)
    sad = uniform(n, 0.2, 0.6)
    return {
        "mood_happy": {"happy": happy, "non_happy": [1 - v for v in happy]},
        "mood_sad": {"non_sad": [1 - v for v in sad], "sad": sad},
    }


def row(run, head, label):
    return HeadStats.objects.get(calibration=run, head=head, label=label)


def test_a_run_measures_every_head_and_class_with_known_percentiles(library):
    store_scores(library, happy_and_sad())

    run = build()

    assert (run.version, run.track_count, run.heads, run.changed_heads) == (1, 101, 2, 2)
    happy = row(run, "mood_happy", "happy")
    assert happy.samples == 101
    assert happy.p5 == pytest.approx(0.05)
    assert happy.p95 == pytest.approx(0.95)
    assert happy.median == pytest.approx(0.5)
    assert happy.iqr == pytest.approx(0.5)
    assert sum(happy.histogram) == 101 and len(happy.histogram) == 100
    sad = row(run, "mood_sad", "sad")
    assert (sad.p5, sad.p95) == (pytest.approx(0.22), pytest.approx(0.58))
    assert HeadStats.objects.filter(calibration=run).count() == 4
    assert happy.is_reference and happy.reference_id == happy.pk and happy.drift is None


def test_too_few_tracks_are_refused_saying_how_many_there_are_and_are_needed(library):
    store_scores(library, happy_and_sad(40))

    with pytest.raises(NotEnoughTracks) as refused:
        build()

    assert "at least 100 tracks" in refused.value.message
    assert "has 40" in refused.value.message
    assert refused.value.details == {"tracks": 40, "needed": 100}
    assert not Calibration.objects.exists()


def test_the_minimum_is_a_setting(library):
    store_scores(library, happy_and_sad(40))
    config.set_value("calibration_min_samples", 40)

    assert build().track_count == 40


def test_identical_scores_give_an_identical_run_and_every_head_stays_stable(library):
    store_scores(library, happy_and_sad())
    first = build()

    second = build()

    assert second.version == 2 and second.changed_heads == 0
    pairs = zip(
        HeadStats.objects.filter(calibration=first),
        HeadStats.objects.filter(calibration=second),
        strict=True,
    )
    for a, b in pairs:
        assert (a.head, a.label, a.samples, a.p5, a.p95, a.median, a.iqr, a.histogram) == (
            b.head,
            b.label,
            b.samples,
            b.p5,
            b.p95,
            b.median,
            b.iqr,
            b.histogram,
        )
        assert b.stable and not b.is_reference and b.reference_id == a.pk
        assert b.drift == {"p5": 0, "p95": 0, "spread": 0, "js": 0, "median": 0, "iqr": 0}
    assert effective().version == 1


def test_a_drifting_head_becomes_its_new_reference_while_a_stable_one_keeps_its_own(library):
    store_scores(library, happy_and_sad())
    first = build()
    # Shift every happy score up by 0.1: p5 and p95 move by 0.1, the shape stays.
    for score in TrackScore.objects.filter(head="mood_happy", label="happy"):
        score.score_mean += 0.1
        score.save()

    second = build()

    assert second.changed_heads == 1
    happy = row(second, "mood_happy", "happy")
    assert happy.is_reference and not happy.stable
    assert happy.drift["p5"] == pytest.approx(0.1)
    assert happy.drift["spread"] == pytest.approx(0.0, abs=1e-6)
    assert row(second, "mood_happy", "non_happy").is_reference  # the head moves as a whole
    sad = row(second, "mood_sad", "sad")
    assert sad.stable and sad.reference == row(first, "mood_sad", "sad")
    current = effective()
    assert current.version == 2
    assert current.ranges[("mood_happy", "happy")] == (happy.p5, happy.p95)
    assert current.ranges[("mood_sad", "sad")] == (sad.reference.p5, sad.reference.p95)


def test_a_threshold_setting_decides_what_is_stable(library):
    store_scores(library, happy_and_sad())
    build()
    for score in TrackScore.objects.filter(head="mood_happy"):
        score.score_mean += 0.02
        score.save()
    config.set_value("calibration_drift_p5", 0.05)
    config.set_value("calibration_drift_p95", 0.05)
    config.set_value("calibration_drift_median", 0.05)

    assert build().changed_heads == 0


def test_calibrated_values_clamp_between_the_references_p5_and_p95(library):
    store_scores(library, happy_and_sad())
    build()
    current = effective()

    assert current.calibrate("mood_happy", "happy", 0.5) == pytest.approx(0.5)
    assert current.calibrate("mood_happy", "happy", 0.95) == 1.0
    assert current.calibrate("mood_happy", "happy", 0.01) == 0.0
    assert current.calibrate("mood_sad", "sad", 0.4) == pytest.approx(0.5)
    assert current.calibrate("unknown", "x", 0.4) is None


def test_no_calibration_is_in_effect_before_the_first_run(library):
    assert effective() is None


def test_the_calibrate_job_builds_a_run_with_progress(library, run_jobs):
    store_scores(library, happy_and_sad())

    job = queue_calibrate()
    assert queue_calibrate().pk == job.pk  # one run at a time
    run_jobs()

    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error_message
    assert job.result == {"version": 1, "heads": 2, "changed_heads": 2, "saved_files": []}
    assert job.progress_fraction == 1.0


def test_the_calibrate_job_fails_with_the_reason_when_there_are_too_few_tracks(library, run_jobs):
    store_scores(library, happy_and_sad(10))

    job = queue_calibrate()
    run_jobs()

    job.refresh_from_db()
    assert job.status == Job.Status.ERROR
    assert "the library has 10" in job.error_message

"""The runner lifecycle: done, error, unknown kind, retry with back-off, cancel, progress."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jobs.models import Job
from jobs.runner import JobRunner
from jobs.services.enqueue import enqueue

pytestmark = pytest.mark.django_db


def test_a_sleep_job_runs_to_done_with_its_result_and_timestamps(run_queue):
    job = enqueue("sleep", payload={"seconds": 0}, path="/music/a.mp3")
    assert run_queue() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.result["slept"] == 0
    assert job.attempts == 1
    assert job.started_at <= job.finished_at
    assert job.progress_fraction == 1.0
    assert job.error_message == ""


def test_a_job_that_raises_ends_in_error_with_its_message(run_queue):
    job = enqueue("sleep", payload={"seconds": 0, "fail": True, "message": "disk on fire"})
    run_queue()
    job.refresh_from_db()
    assert job.status == Job.Status.ERROR
    assert job.error_message == (
        "Nomarr hit an unexpected problem: disk on fire. The server log has the details."
    )
    assert job.finished_at is not None


def test_an_expected_failure_keeps_its_own_words_and_logs_no_traceback(db, run_queue, caplog):
    from jobs import registry
    from jobs.registry import register
    from jobs.runner import JobFailed

    class RefusingRunner(JobRunner):
        def run(self):
            raise JobFailed("Cannot decode /music/a.flac: it contains no audio")

    register("refusing")(RefusingRunner)
    try:
        job = enqueue("refusing")
        run_queue()
    finally:
        registry.unregister("refusing")
    job.refresh_from_db()
    assert job.status == Job.Status.ERROR
    assert job.error_message == "Cannot decode /music/a.flac: it contains no audio"
    failures = [r for r in caplog.records if r.name == "jobs.runner" and "failed" in r.message]
    assert failures and all(r.exc_info is None for r in failures)


def test_a_bad_payload_is_an_error_not_a_crash(run_queue):
    job = enqueue("sleep", payload={"seconds": -5})
    run_queue()
    job.refresh_from_db()
    assert job.status == Job.Status.ERROR
    assert "seconds must be between" in job.error_message


def test_a_job_of_an_unregistered_kind_fails_with_a_clear_message(run_queue):
    job = enqueue("vanished_kind")
    other = enqueue("noop")
    assert run_queue() == 2
    job.refresh_from_db()
    other.refresh_from_db()
    assert job.status == Job.Status.ERROR
    assert "Unknown job kind 'vanished_kind'" in job.error_message
    assert other.status == Job.Status.DONE


def test_a_retryable_failure_is_retried_with_growing_backoff_until_it_succeeds(
    run_queue, test_kinds
):
    job = enqueue("flaky", payload={"succeed_on": 3})
    run_queue()
    job.refresh_from_db()
    assert job.status == Job.Status.PENDING
    assert job.attempts == 1
    first_delay = job.run_after - timezone.now()
    assert timedelta(seconds=0) < first_delay <= timedelta(seconds=2)
    assert "Attempt 1 failed" in job.error_message
    assert run_queue() == 0  # backing off: not claimable yet

    Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
    run_queue()
    job.refresh_from_db()
    assert job.attempts == 2
    assert job.run_after - timezone.now() > timedelta(seconds=2)  # 4 s the second time

    Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
    run_queue()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.result == {"attempt": 3}


def test_a_retryable_failure_becomes_an_error_after_max_attempts(run_queue, test_kinds):
    job = enqueue("flaky", payload={"succeed_on": 99})
    for _ in range(3):
        Job.objects.filter(pk=job.pk).update(run_after=None)
        run_queue()
    job.refresh_from_db()
    assert job.status == Job.Status.ERROR
    assert job.attempts == 3
    assert "flaky attempt 3" in job.error_message


def test_a_retried_attempt_logs_one_line_and_only_the_last_failure_its_traceback(
    run_queue, test_kinds, caplog
):
    job = enqueue("flaky", payload={"succeed_on": 99})
    lines = []
    for _ in range(3):
        caplog.clear()
        Job.objects.filter(pk=job.pk).update(run_after=None)
        run_queue()
        lines.append([r for r in caplog.records if r.name == "jobs.runner"])
    for attempt, records in enumerate(lines[:2], start=1):
        [record] = records
        assert record.levelname == "WARNING" and record.exc_info is None
        assert record.getMessage() == (
            f"Job {job.pk} (flaky) failed on attempt {attempt} of 3, retrying in "
            f"{2**attempt:g} s: RetryableError: flaky attempt {attempt}"
        )
    [last] = lines[2]
    assert last.levelname == "ERROR"
    assert last.getMessage() == f"Job {job.pk} (flaky) failed on attempt 3"
    assert last.exc_info is not None and str(last.exc_info[1]) == "flaky attempt 3"


def test_cancelling_a_running_job_stops_it_at_the_next_check(run_queue, test_kinds):
    job = enqueue("cancelling")
    run_queue()
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert job.result is None
    assert job.progress_counters == {"done": 1, "total": 2}


def test_progress_is_throttled_to_a_few_writes_per_second(db):
    job = Job.objects.create(kind="noop", status=Job.Status.RUNNING, attempts=1)
    from jobs.kinds import NoopRunner

    runner = NoopRunner(job)
    written = [runner.progress(i / 100, f"step {i}") for i in range(100)]
    assert written[0] is True
    assert written.count(True) <= 3
    assert runner.progress(0.99, "last", force=True) is True
    job.refresh_from_db()
    assert job.progress_message == "last"
    assert job.progress_fraction == pytest.approx(0.99)


def test_a_result_that_is_not_a_dict_is_the_kinds_error(run_queue, test_kinds):
    from jobs import registry

    class BadResult(JobRunner):
        def run(self):
            return ["not", "a", "dict"]

    registry.register("bad_result")(BadResult)
    try:
        job = enqueue("bad_result")
        run_queue()
        job.refresh_from_db()
        assert job.status == Job.Status.ERROR
        assert "must return a dict" in job.error_message
    finally:
        registry.unregister("bad_result")


def test_a_job_taken_back_by_the_sweep_is_not_overwritten_by_its_old_runner(db):
    job = Job.objects.create(kind="noop", status=Job.Status.RUNNING, attempts=1)
    stale_view = Job.objects.get(pk=job.pk)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, attempts=2)
    assert stale_view.finish(None) is False
    assert stale_view.status == Job.Status.RUNNING  # a lost transition leaves the view as it was
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING
    assert job.attempts == 2


def test_a_worker_of_a_stopping_cluster_claims_no_new_job(run_queue):
    from jobs import stopping

    job = enqueue("sleep", payload={"seconds": 0})
    stopping.prepare()
    try:
        stopping.announce()
        assert run_queue() == 0
        job.refresh_from_db()
        assert job.status == Job.Status.PENDING
    finally:
        stopping.reset()
    assert run_queue() == 1

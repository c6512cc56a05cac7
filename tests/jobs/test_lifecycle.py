"""The job lifecycle lives on the model: each transition is one conditional update that says
whether it won, every attempt starts fresh, and nothing else writes `Job.status`."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from jobs.models import Job, fresh_attempt
from jobs.runner import execute
from jobs.services import claim, manage, sweep
from jobs.services.enqueue import enqueue

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
LEFTOVERS = {
    "progress_fraction": 0.5,
    "progress_message": "half way",
    "progress_counters": {"done": 1, "total": 2},
    "progress_speed": 3.0,
    "progress_eta": 9.0,
    "result": {"old": True},
    "heartbeat_at": timezone.now(),
    "worker_id": "old:1",
}


def assert_fresh(job: Job) -> None:
    job.refresh_from_db()
    assert job.progress_fraction is None and job.progress_message == ""
    assert job.progress_counters == {}
    assert (job.progress_speed, job.progress_eta, job.result) == (None, None, None)


def test_a_retried_job_starts_with_empty_progress_and_counters():
    job = Job.objects.create(kind="noop", status=Job.Status.ERROR, attempts=3, **LEFTOVERS)
    assert manage.retry([job.pk]).retried == [job.pk]
    assert_fresh(job)
    assert (job.status, job.attempts, job.worker_id, job.heartbeat_at) == ("pending", 0, "", None)


def test_each_new_attempt_starts_with_empty_progress_and_counters(test_kinds):
    job = enqueue("flaky", payload={"succeed_on": 2})
    first = claim.claim_next("w:1")
    assert first.record_progress(0.5, "half way", {"done": 1, "total": 2})
    execute(first)  # fails retryably: back to pending, the old attempt's counters still there
    job.refresh_from_db()
    assert job.status == Job.Status.PENDING and job.progress_counters == {"done": 1, "total": 2}
    Job.objects.filter(pk=job.pk).update(run_after=None)
    second = claim.claim_next("w:2")
    assert second.pk == job.pk and second.attempts == 2
    assert_fresh(job)
    assert second.record_progress(0.1, "again", {"done": 1})
    job.refresh_from_db()
    assert job.progress_counters == {"done": 1}  # not {"done": 1, "total": 2} of attempt 1


def test_a_claim_and_a_manual_retry_reset_the_same_fields():
    # One definition of "fresh", so a field added to the job is reset by both or by neither.
    pending = Job.objects.create(kind="noop", **LEFTOVERS)
    assert pending.claim("w:1")
    failed = Job.objects.create(kind="noop", status=Job.Status.ERROR, **LEFTOVERS)
    assert failed.reset_for_retry()
    for field in fresh_attempt():
        if field not in ("started_at", "heartbeat_at", "worker_id"):  # the claim sets these
            assert getattr(pending, field) == getattr(failed, field), field


def test_every_transition_says_whether_it_won():
    job = Job.objects.create(kind="noop")
    stale = Job.objects.get(pk=job.pk)
    assert job.claim("w:1") is True
    assert stale.claim("w:2") is False  # a duplicate delivery: the job is someone else's
    assert stale.status == Job.Status.PENDING  # a lost transition changes nothing here
    assert job.record_progress(0.5, "half", {"n": 1}) is True
    assert job.finish({"ok": True}) is True
    assert job.fail("too late") is False
    assert job.schedule_retry(1, "too late") is False
    assert job.requeue_stale() is False
    assert job.cancel() is False
    assert job.reset_for_retry() is False  # done is not retried
    job.refresh_from_db()
    assert (job.status, job.result, job.progress_fraction) == ("done", {"ok": True}, 1.0)


def test_cancel_ends_a_pending_job_and_flags_a_running_one():
    pending = Job.objects.create(kind="noop")
    running = Job.objects.create(kind="noop", status=Job.Status.RUNNING, attempts=1)
    assert pending.cancel("stop") and running.cancel("stop")
    assert (pending.status, pending.error_message) == ("cancelled", "stop")
    assert (running.status, running.cancel_requested) == ("running", True)
    assert running.end_cancelled("stop") and running.status == Job.Status.CANCELLED


def test_a_lost_job_whose_cancel_was_asked_for_ends_cancelled_not_requeued():
    old = timezone.now() - timedelta(hours=1)
    job = Job.objects.create(
        kind="noop", status=Job.Status.RUNNING, attempts=1, heartbeat_at=old, started_at=old
    )
    manage.cancel([job.pk], reason="Library Music was removed")
    assert sweep.requeue_stuck() == {"requeued": 0, "failed": 1}
    job.refresh_from_db()
    assert (job.status, job.error_message) == ("cancelled", "Library Music was removed")


def _status_writes(tree: ast.AST) -> list[int]:
    """Lines that write a `status`: `x.status = ...`, or `status=` given to a call that
    writes rows (update, create, bulk_update, update_or_create, get_or_create)."""
    writers = {"update", "create", "bulk_update", "update_or_create", "get_or_create", "Job"}
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Attribute) and t.attr == "status" for t in targets):
                lines.append(node.lineno)
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in writers and any(k.arg == "status" for k in node.keywords):
                lines.append(node.lineno)
    return sorted(lines)


def test_nothing_but_the_job_model_writes_a_jobs_status():
    offenders = []
    for path in sorted(ROOT.glob("**/*.py")):
        relative = path.relative_to(ROOT)
        parts = relative.parts
        if parts[0] in {"tests", ".venv", "benchmarks"} or "migrations" in parts:
            continue
        if relative == Path("jobs/models.py"):
            continue
        source = path.read_text()
        if "Job" not in source:  # other models have a status of their own
            continue
        offenders += [f"{relative}:{line}" for line in _status_writes(ast.parse(source))]
    assert offenders == [], "Job.status is written outside jobs/models.py"


def test_the_status_write_check_sees_the_ways_a_status_is_written():
    source = (
        "Job.objects.filter(pk=1).update(status='done')\n"
        "job.status = 'error'\n"
        "Job.objects.create(kind='noop', status='running')\n"
        "Job(kind='noop', status='running')\n"
        "Job.objects.filter(status='pending').count()\n"  # a read, not a write
    )
    assert _status_writes(ast.parse(source)) == [1, 2, 3, 4]


def test_the_model_docstring_states_the_terminal_set_the_code_uses():
    import re

    stated = re.search(r"Terminal set: \{([^}]*)\}", Job.__doc__ or "")
    assert stated is not None
    assert {name.strip() for name in stated.group(1).split(",")} == set(Job.TERMINAL)
    assert set(Job.RETRIABLE) <= set(Job.TERMINAL)

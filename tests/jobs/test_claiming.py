"""Claim order (priority, position, age), per-kind concurrency, pause, dedup and enqueue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from jobs import registry
from jobs.models import Job
from jobs.services import claim, control, manage
from jobs.services.enqueue import enqueue

pytestmark = pytest.mark.django_db


def claim_order() -> list[int]:
    order = []
    while (job := claim.claim_next("test:1")) is not None:
        order.append(job.pk)
    return order


def test_claims_follow_priority_then_position_then_age():
    old_low = enqueue("noop", priority="LOW")
    old_normal = enqueue("noop")
    new_normal = enqueue("noop", priority="normal")
    high = enqueue("noop", priority="HIGH")
    Job.objects.filter(pk=old_normal.pk).update(created_at=timezone.now() - timedelta(hours=1))
    manage.reorder([new_normal.pk], "top")
    assert claim_order() == [high.pk, new_normal.pk, old_normal.pk, old_low.pk]


def test_reorder_to_the_bottom_and_of_unknown_or_running_jobs():
    first, second, third = (enqueue("noop") for _ in range(3))
    assert manage.reorder([first.pk, 999_999], "bottom") == 1
    assert manage.reorder([999_999]) == 0
    assert claim_order() == [second.pk, third.pk, first.pk]


def test_a_kind_at_its_concurrency_limit_is_skipped_for_other_kinds(monkeypatch):
    monkeypatch.setenv("NOMARR_CONCURRENCY_SLEEP", "1")
    first = enqueue("sleep", priority="HIGH")
    enqueue("sleep", priority="HIGH")
    noop = enqueue("noop")
    assert claim.claim_next("w1").pk == first.pk
    assert claim.claim_next("w2").pk == noop.pk
    assert claim.claim_next("w3") is None


def test_concurrency_comes_from_the_registry_unless_the_environment_overrides_it(monkeypatch):
    assert registry.concurrency_for("sleep") == 64
    assert registry.concurrency_for("never_registered") == 1
    monkeypatch.setenv("NOMARR_CONCURRENCY_SLEEP", "7")
    assert registry.concurrency_for("sleep") == 7
    monkeypatch.setenv("NOMARR_CONCURRENCY_SLEEP", "many")
    with pytest.raises(Exception, match="NOMARR_CONCURRENCY_SLEEP"):
        registry.concurrency_for("sleep")


def test_tag_jobs_run_on_every_worker_of_every_machine(settings):
    """Each worker machine runs one tag job per worker process: another machine's running tag
    jobs (as many as this one has workers, or dead ones the sweep has not returned yet) do
    not stop this machine's workers from tagging."""
    for n in range(settings.WORKERS):
        assert enqueue("tag", payload={"path": f"/music/{n}.mp3"}).claim(f"other-host:{n}")
    waiting = enqueue("tag", payload={"path": "/music/waiting.mp3"})
    assert claim.claim_next("this-host:1").pk == waiting.pk


def test_tag_concurrency_set_in_the_environment_caps_all_machines_together(monkeypatch):
    monkeypatch.setenv("NOMARR_CONCURRENCY_TAG", "2")
    for n in range(2):
        assert enqueue("tag", payload={"path": f"/music/{n}.mp3"}).claim(f"other-host:{n}")
    enqueue("tag", payload={"path": "/music/waiting.mp3"})
    assert claim.claim_next("this-host:1") is None


def test_pause_stops_claims_and_resume_allows_them_again():
    job = enqueue("noop")
    control.pause()
    assert claim.claim_next("w1") is None
    control.resume()
    assert claim.claim_next("w1").pk == job.pk


def test_a_claimed_job_cannot_be_claimed_twice():
    enqueue("noop")
    assert claim.claim_next("w1") is not None
    assert claim.claim_next("w2") is None
    assert Job.objects.get().worker_id == "w1"


def test_the_same_dedup_key_returns_the_active_job_instead_of_a_second_one():
    first = enqueue("noop", dedup_key="tag:/music/a.mp3", path="/music/a.mp3")
    again = enqueue("noop", dedup_key="tag:/music/a.mp3")
    assert again.pk == first.pk
    assert Job.objects.count() == 1


def test_a_finished_job_does_not_block_its_dedup_key(run_queue):
    first = enqueue("noop", dedup_key="k")
    run_queue()
    second = enqueue("noop", dedup_key="k")
    assert second.pk != first.pk


def test_the_database_refuses_two_active_jobs_with_one_key():
    from django.db import IntegrityError, transaction

    Job.objects.create(kind="noop", dedup_key="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.create(kind="noop", dedup_key="same", status=Job.Status.RUNNING)
    Job.objects.create(kind="noop", dedup_key="")
    Job.objects.create(kind="noop", dedup_key="")  # blank keys never collide


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"priority": "URGENT"}, ValueError),
        ({"priority": 7}, ValueError),
        ({"payload": ["a"]}, TypeError),
    ],
)
def test_enqueue_rejects_bad_arguments(kwargs, error):
    with pytest.raises(error):
        enqueue("noop", **kwargs)


def test_enqueue_rejects_a_malformed_kind():
    with pytest.raises(ValueError, match="invalid job kind"):
        enqueue("Bad Kind!")


def test_enqueue_stores_the_subject_and_the_kinds_max_attempts():
    from jobs.subjects import Subject

    subject = Subject("library.library", 7)
    job = enqueue("sleep", path="/music/x.flac", subject=subject, force=True)
    job.refresh_from_db()
    assert (job.subject, job.force, job.max_attempts) == (subject, True, 3)
    assert str(job.subject) == "library.library:7"


def test_enqueue_hands_work_to_the_broker_once_per_transaction_after_commit(
    django_capture_on_commit_callbacks, monkeypatch
):
    from jobs import transport

    pushed: list[int] = []
    monkeypatch.setattr(transport, "waiting_tokens", lambda: 0)
    monkeypatch.setattr(transport, "push_tokens", lambda n: pushed.append(n) or n)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            for _ in range(5):
                enqueue("noop")
        assert pushed == []  # nothing reaches the broker before the commit
    for callback in callbacks:
        callback()
    # Tokens are interchangeable: enough for the local workers, not one per job.
    assert pushed == [transport.token_target()]

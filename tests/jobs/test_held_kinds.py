"""Holding a kind (an app's own start/stop, e.g. the download queue's): claims skip it while
the rest of the queue runs, a running job of it finishes, the hold survives in the database;
a concurrency given as a callable is read at each claim; and the queue's clears leave the
jobs of kinds that keep their own history alone unless asked for that kind."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from jobs import registry
from jobs.models import Job, QueueControl
from jobs.runner import JobRunner
from jobs.services import claim, control, manage, waiting
from jobs.services.enqueue import enqueue

pytestmark = pytest.mark.django_db


class KeptRunner(JobRunner):
    def run(self):
        return None


@pytest.fixture
def kept_kind():
    """A kind that keeps its own history, with a limit read from a list at each claim."""
    limit = [1]
    registry.register("kept", concurrency=lambda: limit[0], own_history=True)(KeptRunner)
    yield limit
    registry.unregister("kept")


def test_a_held_kind_is_not_claimed_while_other_kinds_are(kept_kind):
    kept = enqueue("kept", priority="HIGH")
    other = enqueue("noop")
    assert control.hold("kept") is True
    assert control.hold("kept") is False  # already held
    assert control.held_kinds() == ["kept"]
    assert claim.claim_next("w1").pk == other.pk
    assert claim.claim_next("w2") is None
    assert not claim.has_claimable()
    assert control.release("kept") is True
    assert control.release("kept") is False
    assert claim.claim_next("w3").pk == kept.pk


def test_a_running_job_of_a_held_kind_finishes(kept_kind, run_queue):
    job = enqueue("kept")
    assert claim.claim_next("w1").pk == job.pk
    control.hold("kept")
    job.refresh_from_db()
    assert job.finish({"ok": True})
    job.refresh_from_db()
    assert job.status == Job.Status.DONE


def test_the_hold_is_kept_in_the_database_apart_from_the_pause(kept_kind):
    control.hold("kept")
    assert QueueControl.objects.get(pk=1).held_kinds == ["kept"]
    control.pause()
    control.resume()
    assert control.is_held("kept")
    assert not control.is_paused()


def test_holding_refuses_a_malformed_kind():
    with pytest.raises(ValueError, match="invalid job kind"):
        control.hold("Not A Kind")


def test_the_waiting_reason_of_a_held_kind_says_its_queue_is_stopped(kept_kind, monkeypatch):
    monkeypatch.setattr(waiting, "cluster_summary", lambda: {"alive": True})
    control.hold("kept")
    reasons = waiting.waiting_reasons(["kept", "noop"])
    assert "stopped" in reasons["kept"]
    assert reasons["noop"] == waiting.NEXT


def test_a_callable_concurrency_is_read_at_each_claim(kept_kind):
    jobs = [enqueue("kept") for _ in range(3)]
    assert claim.claim_next("w1").pk == jobs[0].pk
    assert claim.claim_next("w2") is None  # at its limit of 1
    kept_kind[0] = 2
    assert registry.concurrency_for("kept") == 2
    assert claim.claim_next("w3").pk == jobs[1].pk
    assert claim.claim_next("w4") is None


def test_a_callable_concurrency_is_still_overridden_by_the_environment(kept_kind, monkeypatch):
    monkeypatch.setenv("NOMARR_CONCURRENCY_KEPT", "5")
    assert registry.concurrency_for("kept") == 5


def _finished(kind: str, status: str) -> Job:
    old = timezone.now() - timedelta(days=30)
    return Job.objects.create(kind=kind, status=status, finished_at=old, created_at=old)


def test_clears_and_cleanups_keep_jobs_of_kinds_with_their_own_history(kept_kind):
    kept_done, noop_done = _finished("kept", "done"), _finished("noop", "done")
    kept_error, noop_error = _finished("kept", "error"), _finished("noop", "error")
    assert manage.clear("completed") == 1
    assert manage.clear("errors") == 1
    assert manage.clear("all") == 0
    assert manage.cleanup(1) == 0
    assert set(Job.objects.values_list("pk", flat=True)) == {kept_done.pk, kept_error.pk}
    assert not Job.objects.filter(pk__in=[noop_done.pk, noop_error.pk]).exists()
    assert manage.clear("completed", kind="kept") == 1
    assert manage.cleanup(1, kind="kept") == 1
    assert not Job.objects.exists()


def test_remove_by_status_keeps_them_but_removal_by_id_does_what_it_names(kept_kind):
    kept = _finished("kept", "error")
    other = _finished("noop", "error")
    assert manage.remove(status="error")["removed"] == 1
    assert Job.objects.filter(pk=kept.pk).exists() and not Job.objects.filter(pk=other.pk).exists()
    assert manage.remove(ids=[kept.pk])["removed"] == 1


def test_the_web_clear_and_the_admin_cleanup_take_a_kind(kept_kind, token_holder, key_holder):
    _finished("kept", "done")
    _finished("kept", "error")
    assert token_holder.post("/api/web/queue/admin/clear-completed").json()["removed"] == 0
    response = token_holder.post("/api/web/queue/admin/clear-completed?kind=kept")
    assert response.json()["removed"] == 1
    assert (
        key_holder.post("/admin/cleanup?kind=kept", {"hours": 1}, format="json").json()["removed"]
        == 1
    )
    assert token_holder.post("/api/web/queue/admin/clear-all?kind=" + "x" * 200).status_code == 400


def test_the_cli_needs_kind_for_jobs_with_their_own_history(kept_kind, capsys):
    _finished("kept", "error")
    _finished("kept", "done")
    call_command("remove", "--status", "error")
    assert "Removed 0 job(s)" in capsys.readouterr().out
    call_command("remove", "--status", "error", "--kind", "kept")
    assert "Removed 1 job(s)" in capsys.readouterr().out
    call_command("cleanup", "--hours", "1")
    assert "Removed 0" in capsys.readouterr().out
    call_command("cleanup", "--hours", "1", "--kind", "kept")
    assert "Removed 1" in capsys.readouterr().out

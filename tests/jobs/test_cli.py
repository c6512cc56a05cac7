"""The queue CLI: list, remove, cleanup, worker pause/resume."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from jobs.models import Job, QueueControl
from jobs.services.enqueue import enqueue

pytestmark = pytest.mark.django_db


def test_list_shows_jobs_and_filters_by_status(capsys):
    enqueue("noop", path="/music/pending.mp3")
    Job.objects.create(kind="noop", status=Job.Status.ERROR, error_message="broken file")
    call_command("list")
    out = capsys.readouterr().out
    assert "/music/pending.mp3" in out and "broken file" in out
    call_command("list", "--status", "error")
    out = capsys.readouterr().out
    assert "/music/pending.mp3" not in out
    assert "1 of 1 job(s) shown" in out


def test_list_refuses_a_silly_limit():
    with pytest.raises(CommandError, match="--limit"):
        call_command("list", "--limit", "0")


def test_remove_by_id_never_removes_running_jobs(capsys):
    pending = enqueue("noop")
    running = Job.objects.create(kind="noop", status=Job.Status.RUNNING)
    call_command("remove", str(pending.pk), str(running.pk), "424242")
    captured = capsys.readouterr()
    assert "Removed 1 job(s)" in captured.out
    assert "Kept 1 running job(s)" in captured.out
    assert "Not found: 424242" in captured.err
    assert list(Job.objects.values_list("pk", flat=True)) == [running.pk]


def test_remove_by_status_and_all_with_confirmation(monkeypatch):
    Job.objects.create(kind="noop", status=Job.Status.ERROR)
    enqueue("noop")
    call_command("remove", "--status", "error")
    assert not Job.objects.filter(status=Job.Status.ERROR).exists()
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    call_command("remove", "--all")
    assert Job.objects.count() == 1
    call_command("remove", "--all", "--yes")
    assert Job.objects.count() == 0


def test_remove_all_without_a_terminal_asks_for_yes_and_removes_nothing(monkeypatch):
    enqueue("noop")
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    with pytest.raises(CommandError, match="--yes"):
        call_command("remove", "--all")
    assert Job.objects.count() == 1


def test_remove_all_takes_end_of_input_at_the_prompt_as_no(monkeypatch, capsys):
    enqueue("noop")
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)

    def end_of_input(prompt):
        raise EOFError

    monkeypatch.setattr("builtins.input", end_of_input)
    call_command("remove", "--all")
    assert "Nothing removed." in capsys.readouterr().out
    assert Job.objects.count() == 1


def test_remove_needs_exactly_one_selection():
    with pytest.raises(CommandError, match="exactly one"):
        call_command("remove")
    with pytest.raises(CommandError, match="exactly one"):
        call_command("remove", "1", "--all")


def test_cleanup_removes_old_finished_jobs(capsys):
    old = timezone.now() - timedelta(hours=200)
    Job.objects.create(kind="noop", status=Job.Status.DONE, finished_at=old)
    Job.objects.create(kind="noop", status=Job.Status.DONE, finished_at=timezone.now())
    call_command("cleanup", "--hours", "168")
    assert "Removed 1 finished job(s)" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("cleanup", "--hours", "-3")


def test_worker_pause_and_resume(capsys):
    call_command("worker", "pause")
    assert QueueControl.get().paused is True
    call_command("worker", "resume")
    assert QueueControl.get().paused is False
    call_command("worker", "status")
    assert "Workers not running" in capsys.readouterr().out


def test_the_nom_script_maps_admin_reset_to_admin_reset(capsys):
    from nomarr_site.cli import main

    main(["admin-reset", "--stuck"])
    assert "Requeued 0 stuck job(s)" in capsys.readouterr().out

"""Queue control: pause (claims stop at once, running jobs finish), resume, restart request."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from jobs.models import QueueControl
from jobs.services import events
from jobs.services.claim import claimable
from jobs.transport import top_up


def is_paused() -> bool:
    return QueueControl.get().paused


def pause() -> None:
    QueueControl.get()
    QueueControl.objects.filter(pk=1).update(paused=True, paused_at=timezone.now())
    events.emit_queue_state(paused=True)
    events.emit_queue_status(force=True)


def resume() -> int:
    """Clear the flag and wake the workers; returns how many tokens were pushed."""
    QueueControl.get()
    QueueControl.objects.filter(pk=1).update(paused=False, paused_at=None)
    events.emit_queue_state(paused=False)
    events.emit_queue_status(force=True)
    return top_up(claimable().count())


def request_restart() -> None:
    """Ask every cluster to stop cleanly; its supervisor (`nom serve`, systemd...) restarts it."""
    QueueControl.get()
    QueueControl.objects.filter(pk=1).update(restart_requested_at=timezone.now())


def restart_requested_after(moment: datetime) -> bool:
    requested = QueueControl.get().restart_requested_at
    return requested is not None and requested > moment

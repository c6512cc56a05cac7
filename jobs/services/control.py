"""Queue control: pause (claims stop at once, running jobs finish), resume, restart request,
and holding one kind (its pending jobs wait, the other kinds run; an app's own start/stop)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from jobs import registry
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


def held_kinds() -> list[str]:
    """The kinds on hold, sorted: their pending jobs are not claimed."""
    return sorted(QueueControl.get().held_kinds or [])


def is_held(kind: str) -> bool:
    return kind in held_kinds()


def _set_held(kind: str, held: bool) -> bool:
    """Add or drop `kind` in the held list under a row lock; True when it changed."""
    if not registry.KIND_PATTERN.match(kind or ""):
        raise ValueError(f"invalid job kind {kind!r}")
    QueueControl.get()
    with transaction.atomic():
        control = QueueControl.objects.select_for_update().get(pk=1)
        kinds = set(control.held_kinds or [])
        if (kind in kinds) == held:
            return False
        kinds = kinds | {kind} if held else kinds - {kind}
        QueueControl.objects.filter(pk=1).update(held_kinds=sorted(kinds))
    return True


def hold(kind: str) -> bool:
    """Stop claiming jobs of `kind` (running ones finish); persists. True when it was not held."""
    return _set_held(kind, True)


def release(kind: str) -> bool:
    """Claim jobs of `kind` again and wake the workers for them. True when it was held."""
    changed = _set_held(kind, False)
    if changed:
        top_up(claimable().filter(kind=kind).count())
    return changed

"""The event outbox table: written by `emit` in any process, read by the web process's relay
(embedded set-up) and by SSE streams resuming after `Last-Event-ID`. Synchronous ORM code."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from nomarr_site.events.envelope import Envelope
from nomarr_site.models import OutboxEvent

logger = logging.getLogger(__name__)

# Long enough for a browser to reconnect and resume; short enough to keep the table tiny.
RETENTION = timedelta(minutes=10)
PRUNE_EVERY_SECONDS = 60.0
_last_prune = 0.0


def write(room: str, envelope: Envelope) -> int:
    """Store one event (a one-statement transaction of its own) and return its id."""
    row = OutboxEvent.objects.create(room=room, envelope=envelope)
    prune_if_due()
    return row.pk


def prune_if_due() -> None:
    """Delete rows past the retention window, at most once a minute per process."""
    global _last_prune
    now = time.monotonic()
    if now - _last_prune < PRUNE_EVERY_SECONDS:
        return
    _last_prune = now
    removed, _ = OutboxEvent.objects.filter(created_at__lt=timezone.now() - RETENTION).delete()
    if removed:
        logger.debug("Pruned %d outbox events", removed)


def latest_id() -> int:
    row = OutboxEvent.objects.order_by("-id").values_list("id", flat=True).first()
    return row or 0


def after(
    last_id: int,
    rooms: Iterable[str] | None = None,
    also_ids: Iterable[int] = (),
    limit: int = 500,
) -> list[tuple[int, str, Envelope]]:
    """Rows with an id above `last_id` (and the listed ids), oldest first, as (id, room, envelope).

    `also_ids` lets the relay look again for ids it skipped: on PostgreSQL a row with a smaller
    id can commit after a larger one.
    """
    condition = Q(id__gt=last_id)
    extra = list(also_ids)
    if extra:
        condition |= Q(id__in=extra)
    rows = OutboxEvent.objects.filter(condition)
    if rooms is not None:
        rows = rows.filter(room__in=list(rooms))
    values = rows.order_by("id").values_list("id", "room", "envelope")[:limit]
    return [(pk, room, envelope) for pk, room, envelope in values]

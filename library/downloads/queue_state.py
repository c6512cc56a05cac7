"""Start and stop of the download queue: a hold on the `download` job kind (`jobs` keeps it
in the database, so the state survives a restart), separate from the workers' pause.

The queue runs by default. Stop (and its alias pause) holds the kind: no pending download is
claimed, a running one finishes. Start releases it and wakes the workers. The workers' pause
(`/api/web/worker/pause`) stops every kind, downloads included, without changing this state.
"""

from __future__ import annotations

from dataclasses import dataclass

from jobs.services import control
from nomarr_site.events.sender import DOWNLOAD_QUEUE_STARTED, DOWNLOAD_QUEUE_STOPPED

KIND = "download"
STARTED_MESSAGE = "Queue processing started"
STOPPED_MESSAGE = "Queue processing stopped (current download will continue)"
PAUSED_MESSAGE = "Queue processing paused"


@dataclass(frozen=True)
class QueueState:
    """`is_running`: the download queue is started (not stopped or paused by a person).
    `is_paused`: new downloads do not start now, because the queue is stopped or because
    every worker is paused; pending items then show as `paused`."""

    is_running: bool
    is_paused: bool


def state() -> QueueState:
    held = control.is_held(KIND)
    return QueueState(is_running=not held, is_paused=held or control.is_paused())


def start() -> bool:
    """Release the download queue; True when it was stopped."""
    changed = control.release(KIND)
    DOWNLOAD_QUEUE_STARTED.send({"status": "running", "message": STARTED_MESSAGE})
    return changed


def stop(message: str = STOPPED_MESSAGE) -> bool:
    """Hold the download queue (running downloads finish); True when it was running."""
    changed = control.hold(KIND)
    DOWNLOAD_QUEUE_STOPPED.send({"status": "stopped", "message": message})
    return changed

"""The sweep thread of a `qcluster` main process: heartbeat, stuck jobs, token top-up, restart.

Started by `JobsConfig.ready()` in the cluster's main process, whose threads outlive the forked
workers. It touches the database only after django-q2 has forked its sentinel, so no open
connection is ever copied into a child process.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time

import psutil
from django.db import close_old_connections, connection
from django.utils import timezone

from jobs import conf, hooks
from jobs.services import control, sweep, workers

logger = logging.getLogger(__name__)

FORK_WAIT_SECONDS = 60
RELEASE_WAIT_SECONDS = 5


def is_cluster_process(argv: list[str] | None = None) -> bool:
    args = sys.argv if argv is None else argv
    return len(args) > 1 and args[1] == "qcluster"


class SweepThread(threading.Thread):
    def __init__(self) -> None:
        super().__init__(name="nomarr-queue-sweep", daemon=True)
        self.started_at = timezone.now()
        self.stopped = threading.Event()
        self.process = psutil.Process()
        self.cluster_id = ""
        self.seen_pids: set[int] = set()  # every worker process seen, for release_stopped

    def descendants(self) -> set[int]:
        try:
            return {child.pid for child in self.process.children(recursive=True)}
        except psutil.Error:
            return set()

    def wait_for_fork(self) -> bool:
        deadline = time.monotonic() + FORK_WAIT_SECONDS
        while not self.descendants():
            if time.monotonic() > deadline or self.stopped.wait(0.2):
                return False
        return True

    def run(self) -> None:
        if not self.wait_for_fork():
            logger.warning("No django-q2 sentinel appeared; the queue sweep does not run")
            return

        self.cluster_id = workers.cluster_id_for(os.getpid())
        logger.info("Queue sweep running for cluster %s", self.cluster_id)
        while not self.stopped.is_set():
            try:
                close_old_connections()
                if self.cycle():
                    break
            except Exception:  # the sweep must survive a database hiccup
                logger.warning("Queue sweep failed; retrying", exc_info=True)
            self.stopped.wait(conf.sweep_seconds())
        connection.close()

    def cycle(self) -> bool:
        """One sweep; returns True when the cluster is told to stop."""
        children = self.descendants()
        if not children:
            workers.forget_cluster(self.cluster_id)
            return True
        self.seen_pids |= children
        workers.beat_cluster(self.cluster_id, self.started_at, children)
        sweep.requeue_stuck()
        sweep.top_up_tokens()
        sweep.announce_health()
        hooks.run_due_periodic(time.monotonic())
        if control.restart_requested_after(self.started_at):
            logger.warning("Restart requested: stopping cluster %s cleanly", self.cluster_id)
            workers.forget_cluster(self.cluster_id)
            # `nom qcluster` (jobs/management/commands/qcluster.py) then stops the cluster
            # after running jobs finish.
            os.kill(os.getpid(), signal.SIGTERM)
            return True
        return False


_thread: SweepThread | None = None


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def release_stopped() -> None:
    """Once the cluster has stopped: return the jobs its killed workers left running (SIGTERM
    to the whole process group stops them mid-job) and drop its heartbeat rows, so the other
    clusters take those jobs now rather than after the stale-job sweep's minute, and no
    stopped cluster is listed as alive."""
    thread = _thread
    if thread is None or not thread.cluster_id:
        return
    thread.stopped.set()
    thread.join(timeout=conf.sweep_seconds() + 5)
    deadline = time.monotonic() + RELEASE_WAIT_SECONDS
    while any(_alive(pid) for pid in thread.seen_pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    dead = {f"{workers.host()}:{pid}" for pid in thread.seen_pids if not _alive(pid)}
    try:
        close_old_connections()
        sweep.requeue_jobs_of(dead)
        workers.forget_cluster(thread.cluster_id)
    except Exception:  # the stale-job sweep of the other clusters still returns them
        logger.warning("Could not release the stopped cluster's jobs", exc_info=True)
    finally:
        connection.close()


def start_sweep_thread() -> SweepThread:
    global _thread
    if _thread is None or not _thread.is_alive():
        _thread = SweepThread()
        _thread.start()
    return _thread

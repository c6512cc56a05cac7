"""`nom qcluster`: django-q2's cluster (sentinel, workers, monitor, pusher), stopped by its main
thread rather than inside a signal handler.

django-q2's own command stops the cluster from its SIGTERM handler: the handler sets a
multiprocessing Event and joins the sentinel. That hangs for good in two cases:

- The whole process group gets the signal (systemd's default `KillMode`, Ctrl-C in a shell):
  the sentinel dies while it waits on the stop event, and setting that event waits forever for
  the dead waiter to wake.
- The signal lands while the main thread, polling the start event during start-up, holds that
  event's lock: the sentinel then blocks setting it, and the handler blocks joining the sentinel.

Here the handler only notes the signal. The main thread tells the workers to claim no new job
(`jobs.stopping`), stops the cluster from a helper thread and returns as soon as the sentinel
has exited, whether or not that thread ever comes back.
The sweep's restart request (`jobs.cluster`) arrives the same way, as a SIGTERM to this process.
Once stopped, the jobs of workers killed mid-job go back to the queue at once
(`jobs.cluster.release_stopped`).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from types import FrameType

from django.conf import settings
from django_q.cluster import Cluster
from django_q.management.commands.qcluster import Command as DjangoQCommand

from jobs import stopping
from jobs.cluster import release_stopped

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.2


class StopRequest:
    """A SIGTERM/SIGINT handler that only records the signal: a handler that takes a lock can
    deadlock with the code it interrupted."""

    def __init__(self) -> None:
        self.signal_name = ""

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.signal_name = signal.Signals(signum).name

    def install(self) -> None:
        signal.signal(signal.SIGTERM, self)
        signal.signal(signal.SIGINT, self)


def sentinel_alive(cluster: Cluster) -> bool:
    return cluster.sentinel is not None and cluster.sentinel.is_alive()


def stop_cluster(cluster: Cluster) -> None:
    """Let running jobs finish and stop the cluster; return once its sentinel has exited."""
    if not sentinel_alive(cluster):
        return
    stopper = threading.Thread(target=cluster.stop, name="nomarr-cluster-stop", daemon=True)
    stopper.start()
    while stopper.is_alive() and sentinel_alive(cluster):
        stopper.join(POLL_SECONDS)


class Command(DjangoQCommand):
    help = "Runs the job queue's workers until SIGTERM, SIGINT or a restart request."

    def handle(self, *args, **options) -> None:
        settings.SECRET_KEY  # noqa: B018 - django-q2 signs its tasks: fail early without it
        if options.get("cluster_name"):
            os.environ["Q_CLUSTER_NAME"] = options["cluster_name"]
        stopping.prepare()  # before the cluster forks: its workers share the flag
        cluster = Cluster()  # installs django-q2's handlers, replaced next
        request = StopRequest()
        request.install()
        try:
            cluster.start()
        except RuntimeError:
            if request.signal_name:  # the group's signal killed the sentinel as it started
                return
            raise
        while not (request.signal_name or options.get("run_once")) and sentinel_alive(cluster):
            time.sleep(POLL_SECONDS)
        if not request.signal_name and not options.get("run_once"):
            code = cluster.sentinel.exitcode if cluster.sentinel else None
            logger.error("The job queue's sentinel exited unexpectedly (exit code %s)", code)
            sys.exit(1)
        if request.signal_name:
            logger.info("%s received: stopping the job queue's workers", request.signal_name)
        stopping.announce()
        stop_cluster(cluster)
        release_stopped()

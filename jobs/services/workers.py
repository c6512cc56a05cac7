"""Worker liveness from the database (`WorkerHeartbeat`), not django-q2's Stat: Stat lives in
the cache, which is per-process (LocMemCache) in the embedded set-up.

A cluster's sweep thread writes the cluster row; each worker process writes its own row when
it takes a job and while the job runs.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import psutil
from django.db import transaction
from django.utils import timezone

from jobs import conf
from jobs.models import Job, QueueControl, WorkerHeartbeat
from jobs.services import events

logger = logging.getLogger(__name__)

WORKER_EVENT_SECONDS = 1.0


@dataclass
class CurrentWorker:
    worker_id: str
    cluster_id: str
    number: int
    pid: int
    kind: str = WorkerHeartbeat.IDLE
    announced: str = ""
    announced_at: float = 0.0


_current: CurrentWorker | None = None


def host() -> str:
    return socket.gethostname()


def cluster_id_for(pid: int) -> str:
    return f"{host()}:{pid}"


def alive_window() -> timedelta:
    return timedelta(seconds=max(3 * conf.sweep_seconds(), 10))


def _cluster_main_pid() -> int:
    """Worker → sentinel → cluster main process (django-q2's process tree)."""
    try:
        sentinel = psutil.Process(os.getppid())
        return sentinel.ppid() or os.getppid()
    except psutil.Error:
        return os.getppid()


def current_worker() -> CurrentWorker:
    """This process's worker row, registered on first use (a recycled worker is a new pid)."""
    global _current
    pid = os.getpid()
    if _current is not None and _current.pid == pid:
        return _current
    cluster = cluster_id_for(_cluster_main_pid())
    worker_id = f"{host()}:{pid}"
    with transaction.atomic():
        used = set(
            WorkerHeartbeat.objects.filter(cluster_id=cluster)
            .exclude(kind=WorkerHeartbeat.CLUSTER)
            .exclude(worker_id=worker_id)
            .values_list("number", flat=True)
        )
        number = next(n for n in range(len(used) + 1) if n not in used)
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={
                "cluster_id": cluster,
                "number": number,
                "host": host(),
                "pid": pid,
                "kind": WorkerHeartbeat.IDLE,
                "started_at": timezone.now(),
                "last_seen": timezone.now(),
            },
        )
    _current = CurrentWorker(worker_id, cluster, number, pid)
    return _current


def component(kind: str, number: int) -> str:
    return f"worker:{kind}:{number}"


def set_current_job(job: Job | None) -> None:
    """Record what this worker runs (None: idle) and announce it."""
    global _current
    me = current_worker()
    values = {
        "current_job": job,
        "kind": job.kind if job is not None else WorkerHeartbeat.IDLE,
        "last_seen": timezone.now(),
    }
    if not WorkerHeartbeat.objects.filter(worker_id=me.worker_id).update(**values):
        _current = None  # our row was removed (sweep, cleanup): register again
        me = current_worker()
        WorkerHeartbeat.objects.filter(worker_id=me.worker_id).update(**values)
    if job is not None:
        me.kind = job.kind
    status = "busy" if job is not None else "idle"
    # Back-to-back jobs would announce busy/idle/busy...: announce changes, at most 1/s.
    now = time.monotonic()
    if status != me.announced or now - me.announced_at >= WORKER_EVENT_SECONDS:
        me.announced, me.announced_at = status, now
        events.emit_worker(component(me.kind, me.number), status, me.pid, job.pk if job else None)


def touch_current_worker(now: datetime | None = None) -> None:
    if _current is not None and _current.pid == os.getpid():
        WorkerHeartbeat.objects.filter(worker_id=_current.worker_id).update(
            last_seen=now or timezone.now()
        )


def beat_cluster(cluster: str, started_at: datetime, child_pids: set[int]) -> None:
    """The sweep's heartbeat: the cluster row, its live workers' rows, and dead rows removed."""
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=cluster,
        defaults={
            "cluster_id": cluster,
            "host": host(),
            "pid": os.getpid(),
            "kind": WorkerHeartbeat.CLUSTER,
            "started_at": started_at,
            "last_seen": now,
        },
    )
    rows = WorkerHeartbeat.objects.filter(cluster_id=cluster).exclude(kind=WorkerHeartbeat.CLUSTER)
    rows.filter(pid__in=child_pids).update(last_seen=now)
    for dead in rows.exclude(pid__in=child_pids):
        events.emit_worker(component(dead.kind, dead.number), "stopped", dead.pid, None)
        dead.delete()
    # Rows of clusters (any host) that stopped beating long ago.
    WorkerHeartbeat.objects.filter(last_seen__lt=now - 10 * alive_window()).delete()


def forget_cluster(cluster: str) -> None:
    WorkerHeartbeat.objects.filter(cluster_id=cluster).delete()


def _row(beat: WorkerHeartbeat) -> dict[str, Any]:
    return {
        "worker_id": beat.worker_id,
        "component": component(beat.kind, beat.number),
        "host": beat.host,
        "pid": beat.pid,
        "kind": beat.kind,
        "current_job": beat.current_job_id,
        "started_at": beat.started_at,
        "last_seen": beat.last_seen,
    }


def cluster_summary() -> dict[str, Any]:
    """Cluster liveness for /health/detailed, /api/v1/info and the queue page."""
    try:
        since = timezone.now() - alive_window()
        beats = list(WorkerHeartbeat.objects.filter(last_seen__gte=since))
        paused = QueueControl.get().paused
    except Exception as exc:  # database trouble: report, do not crash a health probe
        return {"status": "unhealthy", "alive": False, "clusters": 0, "message": str(exc)[:200]}
    clusters = [b for b in beats if b.kind == WorkerHeartbeat.CLUSTER]
    live_ids = {c.cluster_id for c in clusters}
    workers = [b for b in beats if b.kind != WorkerHeartbeat.CLUSTER and b.cluster_id in live_ids]
    alive = bool(clusters)
    return {
        "status": ("paused" if paused else "healthy") if alive else "stopped",
        "alive": alive,
        "paused": paused,
        "clusters": len(clusters),
        "details": [
            {
                "cluster_id": c.cluster_id,
                "host": c.host,
                "pid": c.pid,
                "started_at": c.started_at,
                "last_seen": c.last_seen,
                "workers": [_row(w) for w in workers if w.cluster_id == c.cluster_id],
            }
            for c in clusters
        ],
    }

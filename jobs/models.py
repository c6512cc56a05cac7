"""Models of `jobs`: the `Job` row (source of truth, owner of every state transition), queue
control and worker heartbeats."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from jobs.subjects import Subject

SUBJECT_TYPE_MAX = 64


def fresh_attempt() -> dict[str, Any]:
    """The fields every new attempt starts from: nothing of an earlier attempt shows through
    (its progress, counters, result, error, worker, heartbeat or times)."""
    return {
        "progress_fraction": None,
        "progress_message": "",
        "progress_counters": {},
        "progress_speed": None,
        "progress_eta": None,
        "result": None,
        "error_message": "",
        "worker_id": "",
        "heartbeat_at": None,
        "started_at": None,
        "finished_at": None,
        "run_after": None,
    }


class JobQuerySet(models.QuerySet["Job"]):
    """Bulk transitions: each is one conditional UPDATE and returns how many rows it moved."""

    def active(self) -> JobQuerySet:
        return self.filter(status__in=Job.ACTIVE)

    def for_subject(self, subject: Subject) -> JobQuerySet:
        return self.filter(subject_type=subject.type, subject_id=subject.id)

    def cancel_pending(self, reason: str) -> int:
        """pending → cancelled at once, with `reason` as the message."""
        return self.filter(status=Job.Status.PENDING).update(
            status=Job.Status.CANCELLED, finished_at=timezone.now(), error_message=reason
        )

    def flag_running(self, reason: str) -> int:
        """Ask running jobs to stop at their runner's next check; `reason` is kept for then."""
        return self.filter(status=Job.Status.RUNNING).update(
            cancel_requested=True, error_message=reason
        )

    def reset_for_retry(self) -> int:
        """error | cancelled → pending, as a fresh job (attempts start again)."""
        return self.filter(status__in=Job.RETRIABLE).update(
            **fresh_attempt(), status=Job.Status.PENDING, attempts=0, cancel_requested=False
        )

    def beat(self, pk: int, attempt: int, now: datetime) -> bool:
        """Touch the heartbeat of attempt `attempt` of job `pk`, if it is still running."""
        mine = self.filter(pk=pk, status=Job.Status.RUNNING, attempts=attempt)
        return bool(mine.update(heartbeat_at=now))


class Job(models.Model):
    """One unit of background work of a registered kind, about a generic subject.

    State machine::

        pending ──claim──▶ running ──finish──▶ done
           ▲                  │ ├──fail / requeue_stale──▶ error  (raised; attempts used up)
           │                  │ └──end_cancelled / requeue_stale──▶ cancelled
           │                  │                 (cancel requested: seen at a check, or the
           │                  │                  worker died after the request)
           └── schedule_retry / requeue_stale ─┘  (retryable failure; worker died: sweep)
        pending ──cancel──▶ cancelled
        error | cancelled ──reset_for_retry (by a person)──▶ pending

    Terminal set: {done, error, cancelled}. Only `pending` jobs are claimed; a claim is a
    conditional UPDATE from `pending`, so a duplicate delivery of work is harmless.

    Every transition is a method here (or on `JobQuerySet` for batches): one conditional UPDATE
    that returns whether it won, and that updates this instance only when it did. Nothing else
    writes `status`. A running job's writes are guarded by (running, same attempt), so a runner
    whose job the stuck sweep took back cannot overwrite the new attempt. Each attempt (a claim)
    and each manual retry starts from `fresh_attempt()`.

    The subject (`subject_type` + `subject_id`, shown as `library.track:42`) names what the job
    is about in an app's terms without the queue knowing that app; see `jobs.subjects`.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        ERROR = "error", "Error"
        CANCELLED = "cancelled", "Cancelled"

    class Priority(models.IntegerChoices):
        LOW = 0, "LOW"
        NORMAL = 1, "NORMAL"
        HIGH = 2, "HIGH"

    TERMINAL = (Status.DONE, Status.ERROR, Status.CANCELLED)
    ACTIVE = (Status.PENDING, Status.RUNNING)
    RETRIABLE = (Status.ERROR, Status.CANCELLED)

    kind = models.CharField(max_length=64, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    priority = models.SmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    position = models.IntegerField(default=0, help_text="Manual order within a priority.")
    payload = models.JSONField(default=dict, blank=True)
    path = models.CharField(max_length=4096, blank=True, default="")
    subject_type = models.CharField(
        max_length=SUBJECT_TYPE_MAX,
        blank=True,
        default="",
        help_text="A registered subject key, e.g. library.track (empty: no subject).",
    )
    subject_id = models.BigIntegerField(null=True, blank=True)
    dedup_key = models.CharField(max_length=512, blank=True, default="")

    progress_fraction = models.FloatField(null=True, blank=True)
    progress_message = models.CharField(max_length=500, blank=True, default="")
    progress_counters = models.JSONField(default=dict, blank=True)
    progress_speed = models.FloatField(null=True, blank=True)
    progress_eta = models.FloatField(null=True, blank=True, help_text="Seconds left.")

    result = models.JSONField(null=True, blank=True)
    error_message = models.TextField(blank=True, default="")
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=3)
    force = models.BooleanField(default=False)
    cancel_requested = models.BooleanField(default=False)
    run_after = models.DateTimeField(null=True, blank=True, help_text="Retry back-off.")

    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    worker_id = models.CharField(max_length=200, blank=True, default="")

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-priority", "position", "created_at", "id"]
        indexes = [
            models.Index(
                fields=["status", "-priority", "position", "created_at", "id"],
                name="jobs_claim_order",
            ),
            models.Index(fields=["status", "finished_at"], name="jobs_status_finished"),
            models.Index(fields=["subject_type", "subject_id"], name="jobs_subject"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["dedup_key"],
                condition=Q(status__in=["pending", "running"]) & ~Q(dedup_key=""),
                name="jobs_unique_active_dedup_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def subject(self) -> Subject | None:
        if not self.subject_type or self.subject_id is None:
            return None
        return Subject(self.subject_type, self.subject_id)

    def subject_pk(self, subject_type: str) -> int | None:
        """The subject's id when it is of `subject_type` (e.g. a track id for the API)."""
        return self.subject_id if self.subject_type == subject_type else None

    @property
    def is_terminal(self) -> bool:
        return self.status in self.TERMINAL

    @property
    def duration(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None

    # --- transitions -------------------------------------------------------------------

    def _win(self, guard: dict[str, Any], values: dict[str, Any]) -> bool:
        """One conditional UPDATE of this row; on success, this instance holds the new values."""
        if not Job.objects.filter(pk=self.pk, **guard).update(**values):
            return False
        for field, value in values.items():
            setattr(self, field, value)
        return True

    def _this_attempt(self) -> dict[str, Any]:
        return {"status": self.Status.RUNNING, "attempts": self.attempts}

    def claim(self, worker_id: str) -> bool:
        """pending → running as a fresh attempt owned by `worker_id`."""
        now = timezone.now()
        values = {
            **fresh_attempt(),
            "status": self.Status.RUNNING,
            "attempts": self.attempts + 1,
            "started_at": now,
            "heartbeat_at": now,
            "worker_id": worker_id,
        }
        return self._win({"status": self.Status.PENDING, "attempts": self.attempts}, values)

    def record_progress(
        self,
        fraction: float | None,
        message: str,
        counters: dict[str, Any],
        speed: float | None = None,
        eta: float | None = None,
    ) -> bool:
        """Progress of the running attempt; counters add to this attempt's, never an older one's."""
        values = {
            "progress_fraction": self.progress_fraction
            if fraction is None
            else max(0.0, min(1.0, float(fraction))),
            "progress_message": (message or "")[:500],
            "progress_counters": {**(self.progress_counters or {}), **counters},
            "progress_speed": speed,
            "progress_eta": eta,
            "heartbeat_at": timezone.now(),
        }
        return self._win(self._this_attempt(), values)

    def _end(self, status: str, **fields: Any) -> bool:
        now = timezone.now()
        return self._win(
            self._this_attempt(),
            {"status": status, "finished_at": now, "heartbeat_at": now, **fields},
        )

    def finish(self, result: dict | None = None) -> bool:
        """running → done with `result`."""
        return self._end(self.Status.DONE, result=result, error_message="", progress_fraction=1.0)

    def fail(self, message: str) -> bool:
        """running → error with `message` (no attempts left, or not worth another)."""
        return self._end(self.Status.ERROR, error_message=message[:4000])

    def end_cancelled(self, reason: str = "Cancelled") -> bool:
        """running → cancelled, when the runner saw the cancel request."""
        return self._end(self.Status.CANCELLED, error_message=reason[:4000])

    def schedule_retry(self, delay_seconds: float, message: str) -> bool:
        """running → pending, due after `delay_seconds` (retryable failure, attempts left)."""
        values = {
            "status": self.Status.PENDING,
            "run_after": timezone.now() + timedelta(seconds=delay_seconds),
            "error_message": message[:4000],
            "worker_id": "",
        }
        return self._win(self._this_attempt(), values)

    def requeue_stale(self) -> bool:
        """A running job whose worker stopped beating: pending again, or error after its last
        attempt, or cancelled when a cancel was asked for (no runner is left to see it)."""
        if self.cancel_requested:
            return self._end(self.Status.CANCELLED, error_message=self.error_message or "Cancelled")
        if self.attempts >= self.max_attempts:
            message = (
                "The worker running this job stopped responding (no heartbeat); "
                f"gave up after {self.attempts} attempt(s)."
            )
            return self._end(self.Status.ERROR, error_message=message, worker_id="")
        values = {
            "status": self.Status.PENDING,
            "error_message": f"Attempt {self.attempts}: the worker stopped responding; requeued.",
            "worker_id": "",
            "run_after": None,
        }
        return self._win(self._this_attempt(), values)

    def requeue_interrupted(self) -> bool:
        """A running job whose worker was stopped with its cluster (a service stop signalling
        every process at once): pending again without spending an attempt, since the job did
        not fail; cancelled when a cancel was asked for."""
        if self.cancel_requested:
            return self._end(self.Status.CANCELLED, error_message=self.error_message or "Cancelled")
        values = {
            "status": self.Status.PENDING,
            "attempts": max(0, self.attempts - 1),
            "error_message": "Interrupted when its workers were stopped; requeued.",
            "worker_id": "",
            "run_after": None,
        }
        return self._win(self._this_attempt(), values)

    def cancel(self, reason: str = "Cancelled") -> bool:
        """pending → cancelled at once; running → flagged, its runner stops at the next check."""
        mine = Job.objects.filter(pk=self.pk)
        won = bool(mine.cancel_pending(reason) or mine.flag_running(reason))
        if won:
            self.refresh_from_db()
        return won

    def reset_for_retry(self) -> bool:
        """error | cancelled → pending as a fresh job (a person asked for a retry)."""
        values = {
            **fresh_attempt(),
            "status": self.Status.PENDING,
            "attempts": 0,
            "cancel_requested": False,
        }
        return self._win({"status__in": self.RETRIABLE}, values)

    def set_subject(self, subject: Subject) -> bool:
        """Name the job's subject once it is known (a file the library had not seen yet)."""
        return self._win({}, {"subject_type": subject.type, "subject_id": subject.id})

    def merge_payload(self, merge: Callable[[dict[str, Any]], dict[str, Any]]) -> bool:
        """Fold a second request into a still-pending job: its payload becomes
        `merge(payload)` (read and written under a row lock); False once a worker claimed it."""
        with transaction.atomic():
            row = Job.objects.select_for_update().filter(pk=self.pk, status=self.Status.PENDING)
            current = row.values_list("payload", flat=True).first()
            if current is None:
                return False
            merged = merge(current)
            if merged == current:
                self.payload = current
                return True
            return self._win({"status": self.Status.PENDING}, {"payload": merged})


class QueueControl(models.Model):
    """Singleton (pk=1): the queue-wide pause flag, the kinds on hold and the last restart
    request.

    `paused` stops every claim (the workers' pause). `held_kinds` lists job kinds whose pending
    jobs are not claimed while the rest of the queue runs (an app's own start/stop, e.g. the
    download queue's); running jobs of a held kind finish. Both survive a restart.
    """

    paused = models.BooleanField(default=False)
    paused_at = models.DateTimeField(null=True, blank=True)
    held_kinds = models.JSONField(default=list, blank=True)
    restart_requested_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "queue control"

    def __str__(self) -> str:
        return "paused" if self.paused else "running"

    @classmethod
    def get(cls) -> QueueControl:
        control, _ = cls.objects.get_or_create(pk=1)
        return control


class WorkerHeartbeat(models.Model):
    """Liveness written to the database (django-q2's Stat lives in a per-process cache here).

    `kind` is "cluster" for a cluster's own row (written by its sweep thread) and the job kind
    (or "idle") for a worker process row; `number` is the worker's index inside its cluster.
    """

    CLUSTER = "cluster"
    IDLE = "idle"

    worker_id = models.CharField(max_length=200, unique=True)
    cluster_id = models.CharField(max_length=64, db_index=True)
    number = models.IntegerField(default=0)
    host = models.CharField(max_length=255)
    pid = models.IntegerField()
    kind = models.CharField(max_length=64, default=IDLE)
    current_job = models.ForeignKey(
        Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["cluster_id", "number", "id"]

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.kind})"

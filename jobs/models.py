"""Models of `jobs`: the `Job` row (source of truth), queue control and worker heartbeats."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class Job(models.Model):
    """One unit of background work of a registered kind.

    State machine::

        pending ──claim──▶ running ──▶ done
           ▲                  │ ├────▶ error      (raised, or retries/max attempts used up)
           │                  │ └────▶ cancelled  (cancel requested, seen at a check)
           └── retry/backoff ─┘         (retryable failure, or worker died: stuck sweep)
        pending ──cancel──▶ cancelled
        error | cancelled ──retry (by a person)──▶ pending

    Terminal set: {done, error, cancelled}. Only `pending` jobs are claimed; a claim is a
    conditional UPDATE from `pending`, so a duplicate delivery of work is harmless.
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

    kind = models.CharField(max_length=64, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    priority = models.SmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    position = models.IntegerField(default=0, help_text="Manual order within a priority.")
    payload = models.JSONField(default=dict, blank=True)
    path = models.CharField(max_length=4096, blank=True, default="")
    library = models.ForeignKey(
        "library.Library", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    track = models.ForeignKey(
        "library.Track",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
        help_text="The track a tag job works on, when the library knows it.",
    )
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

    class Meta:
        ordering = ["-priority", "position", "created_at", "id"]
        indexes = [
            models.Index(
                fields=["status", "-priority", "position", "created_at", "id"],
                name="jobs_claim_order",
            ),
            models.Index(fields=["status", "finished_at"], name="jobs_status_finished"),
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
    def is_terminal(self) -> bool:
        return self.status in self.TERMINAL

    @property
    def duration(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class QueueControl(models.Model):
    """Singleton (pk=1): the queue-wide pause flag and the last restart request."""

    paused = models.BooleanField(default=False)
    paused_at = models.DateTimeField(null=True, blank=True)
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

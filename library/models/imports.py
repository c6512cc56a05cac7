"""Import records: one `ImportItem` per file handed to `POST /api/import/file` (AltMount's
import queue), with what it is, where it went and how it ended."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone


def path_digest(path: str) -> str:
    """The key of a resolved path in the active-import constraint (paths can outgrow an index)."""
    return hashlib.sha256(path.encode("utf-8", "surrogateescape")).hexdigest()


class ImportItemQuerySet(models.QuerySet["ImportItem"]):
    def active(self) -> ImportItemQuerySet:
        return self.filter(status__in=ImportItem.ACTIVE)


class ImportItem(models.Model):
    """One file to import; its id is the `queue_id` AltMount's API answers with.

    States: pending → running → imported | handed_over | failed | cancelled (terminal; a
    manual retry of the job runs it again). The import job writes `running` and the outcome
    (`imported`: moved into a library, `destination` is its new path; `handed_over`: an NZB
    sent to SABnzbd or NZBGet, `downloader_id` is its nzo_id / NZBID; `failed` with the reason
    in `message`). A job that ends without writing an outcome (cancelled, lost after its last
    attempt, removed from the queue) is settled from the job by `imports.history.settle`.
    Progress a later attempt must not repeat is recorded while `running`, before the outcome:
    `destination` before the file is moved (`plan`), `downloader_id` as soon as the downloader
    took the NZB (`record_hand_over`); a redelivered or retried job resumes from them.
    At most one item per resolved path is active (pending or running): the constraint below
    makes a second request for the same file a conflict, however close the two arrive.
    """

    class Kind(models.TextChoices):
        AUDIO = "audio", "Audio"
        VIDEO = "video", "Video"
        NZB = "nzb", "NZB"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        IMPORTED = "imported", "Imported"
        HANDED_OVER = "handed_over", "Handed over"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    ACTIVE = (Status.PENDING, Status.RUNNING)

    file_path = models.CharField(max_length=4096, help_text="The path as the request gave it.")
    resolved_path = models.CharField(max_length=4096)
    path_digest = models.CharField(max_length=64, editable=False)
    relative_path = models.CharField(max_length=4096, blank=True, default="")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    message = models.TextField(blank=True, default="")
    destination = models.CharField(max_length=4096, blank=True, default="")
    downloader_id = models.CharField(max_length=200, blank=True, default="")
    size = models.BigIntegerField(help_text="Bytes when queued; the job refuses a changed file.")
    mtime_ns = models.BigIntegerField()
    job = models.OneToOneField(
        "jobs.Job",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_item",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportItemQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["path_digest"],
                condition=Q(status__in=["pending", "running"]),
                name="import_one_active_per_path",
            )
        ]
        indexes = [models.Index(fields=["status"], name="import_status")]

    def __str__(self) -> str:
        return f"import {self.pk}: {self.file_path} ({self.status})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.path_digest = path_digest(self.resolved_path)
        super().save(*args, **kwargs)

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    def start(self) -> bool:
        """→ running (from pending, or from an end when the job is retried by hand)."""
        return self._move(self.Status.RUNNING, message="", finished=False)

    def succeed(
        self, status: str, message: str, destination: str = "", downloader_id: str = ""
    ) -> bool:
        """running → imported | handed_over, with where the file went."""
        return self._move(
            status, message=message, destination=destination, downloader_id=downloader_id
        )

    def plan(self, destination: str) -> bool:
        """Record where a running item's file is about to be moved (before it moves)."""
        return self._mark_running(destination=destination)

    def record_hand_over(self, downloader_id: str, message: str) -> bool:
        """Record that the downloader took the running item's NZB, in one transaction, so a
        redelivered job does not hand it over again."""
        with transaction.atomic():
            return self._mark_running(downloader_id=downloader_id, message=message)

    def _mark_running(self, **fields: str) -> bool:
        won = type(self).objects.filter(pk=self.pk, status=self.Status.RUNNING).update(**fields)
        if won:
            for name, value in fields.items():
                setattr(self, name, value)
        return won == 1

    def retry_later(self, message: str) -> bool:
        """running → pending while the job waits for its next attempt."""
        return self._move(self.Status.PENDING, message=message, finished=False, only_active=True)

    def end(self, status: str, message: str) -> bool:
        """An active item → failed | cancelled, with the reason."""
        return self._move(status, message=message, only_active=True)

    def _move(
        self, status: str, *, finished: bool = True, only_active: bool = False, **fields: str
    ) -> bool:
        rows = type(self).objects.filter(pk=self.pk)
        if only_active:
            rows = rows.filter(status__in=self.ACTIVE)
        values: dict[str, object] = {
            "status": status,
            "finished_at": timezone.now() if finished else None,
            **fields,
        }
        won = rows.update(**values) == 1
        if won:
            for name, value in values.items():
                setattr(self, name, value)
        return won

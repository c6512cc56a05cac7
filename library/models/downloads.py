"""The episode download queue's model: a `DownloadItem` is one episode to bring into its
series folder, run by one job of kind `download`; its status is derived from that job
(`library.downloads.status`)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from jobs.models import Job
from library.models.series import Series


class DownloadItem(models.Model):
    """One queued episode download (the reference's Download Item), identified by a UUID.

    The item holds what only downloads know (episode, source, bytes, final file, retries);
    its state machine is its job's (`pending → running → done | error | cancelled`), read
    through the one table in `library.downloads.status`. The job link is `CASCADE`: the item
    is the download half of its job, so deleting the job (the jobs queue's clears with
    `kind=download`) deletes the item, and no item is left without a state. The queue's own
    clears keep download jobs (`own_history`), so history lasts until a person clears it.
    `job` is empty only for the moment between creating the item and queueing its job.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="downloads")
    season = models.PositiveSmallIntegerField()
    episode = models.PositiveIntegerField()
    title = models.CharField(max_length=500, blank=True, default="")
    source_url = models.CharField(max_length=2000)
    job = models.OneToOneField(
        Job, null=True, blank=True, on_delete=models.CASCADE, related_name="download_item"
    )
    added_at = models.DateTimeField(default=timezone.now)
    retry_count = models.PositiveIntegerField(default=0)
    downloaded_bytes = models.BigIntegerField(default=0)
    total_bytes = models.BigIntegerField(null=True, blank=True)
    speed_mbps = models.FloatField(null=True, blank=True, help_text="MiB per second, last seen.")
    eta_seconds = models.IntegerField(null=True, blank=True)
    file_path = models.CharField(max_length=4096, blank=True, default="")

    class Meta:
        ordering = ["added_at", "id"]
        indexes = [
            models.Index(fields=["series", "season", "episode"], name="download_episode"),
        ]

    def __str__(self) -> str:
        return f"{self.series_id} S{self.season:02d}E{self.episode:02d} ({self.pk})"

"""Request bodies (validated by serializers) and response shapes of `/api/queue/*`."""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from jobs.models import Job
from library.downloads import status as item_statuses

MAX_EPISODES = 500  # episodes in one add
MAX_IDS = 1000  # item ids in one request


class DownloadEpisodeRequestSerializer(serializers.Serializer):
    season = serializers.IntegerField(min_value=0, max_value=9999)
    episode = serializers.IntegerField(min_value=0, max_value=99999)
    title = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    source_url = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text="Nomarr's extension: the episode's http(s) URL; without it the series' "
        "download_source template is used.",
    )


class PriorityField(serializers.ChoiceField):
    """LOW, NORMAL or HIGH, in any case."""

    def to_internal_value(self, data: Any) -> str:
        return str(super().to_internal_value(data.upper() if isinstance(data, str) else data))


class DownloadAddSerializer(serializers.Serializer):
    serie_id = serializers.CharField(max_length=200)
    serie_folder = serializers.CharField(max_length=255, required=False, allow_blank=True)
    serie_name = serializers.CharField(max_length=500, required=False, allow_blank=True)
    episodes = serializers.ListField(
        child=DownloadEpisodeRequestSerializer(), min_length=1, max_length=MAX_EPISODES
    )
    priority = PriorityField(choices=list(Job.Priority.labels), default="NORMAL")


class UuidText(serializers.UUIDField):
    """A UUID written as text (DRF's field would also take an integer as a UUID's number)."""

    def to_internal_value(self, data: Any) -> uuid.UUID:
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


def _ids(required: bool, min_length: int) -> serializers.ListField:
    return serializers.ListField(
        child=UuidText(),
        max_length=MAX_IDS,
        min_length=min_length,
        required=required,
    )


class DownloadIdsSerializer(serializers.Serializer):
    item_ids = _ids(required=True, min_length=1)


class DownloadReorderSerializer(serializers.Serializer):
    item_ids = _ids(required=True, min_length=0)


class DownloadRetrySerializer(serializers.Serializer):
    item_ids = _ids(required=False, min_length=0)


MESSAGE = inline_serializer(
    "DownloadQueueMessage",
    {"status": serializers.CharField(), "message": serializers.CharField()},
)
ADDED = inline_serializer(
    "DownloadQueueAdded",
    {
        "status": serializers.CharField(help_text="success, partial or failed"),
        "message": serializers.CharField(),
        "added_items": serializers.ListField(child=serializers.UUIDField()),
        "item_ids": serializers.ListField(child=serializers.UUIDField()),
        "failed_items": serializers.ListField(
            child=inline_serializer(
                "DownloadQueueFailedItem",
                {
                    "season": serializers.IntegerField(allow_null=True),
                    "episode": serializers.IntegerField(allow_null=True),
                    "reason": serializers.CharField(),
                },
            )
        ),
    },
)
CLEARED = inline_serializer(
    "DownloadQueueCleared",
    {
        "status": serializers.CharField(),
        "message": serializers.CharField(),
        "count": serializers.IntegerField(),
    },
)
RETRIED = inline_serializer(
    "DownloadQueueRetried",
    {
        "status": serializers.CharField(),
        "message": serializers.CharField(),
        "retried_count": serializers.IntegerField(),
        "retried_ids": serializers.ListField(child=serializers.UUIDField()),
    },
)


class DownloadProgressSerializer(serializers.Serializer):
    percent = serializers.FloatField(allow_null=True)
    downloaded_mb = serializers.FloatField()
    total_mb = serializers.FloatField(allow_null=True)
    speed_mbps = serializers.FloatField(allow_null=True, help_text="MiB per second.")
    eta_seconds = serializers.IntegerField(allow_null=True)


class DownloadEpisodeSerializer(serializers.Serializer):
    season = serializers.IntegerField()
    episode = serializers.IntegerField()
    title = serializers.CharField()


class DownloadItemSerializer(serializers.Serializer):
    """The reference's Download Item (documentation only; `shapes.item_json` builds it)."""

    id = serializers.UUIDField()
    serie_id = serializers.CharField(help_text="The series key.")
    serie_folder = serializers.CharField()
    serie_name = serializers.CharField()
    episode = DownloadEpisodeSerializer()
    status = serializers.CharField(help_text="One of " + ", ".join(item_statuses.STATUSES) + ".")
    priority = serializers.ChoiceField(choices=list(Job.Priority.labels))
    added_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    progress = DownloadProgressSerializer(allow_null=True)
    error = serializers.CharField(allow_null=True)
    retry_count = serializers.IntegerField()
    source_url = serializers.CharField(allow_null=True)


STATUS = inline_serializer(
    "DownloadQueueStatus",
    {
        "status": inline_serializer(
            "DownloadQueueState",
            {
                "is_running": serializers.BooleanField(
                    help_text="The download queue is started (not stopped or paused)."
                ),
                "is_paused": serializers.BooleanField(
                    help_text="New downloads do not start now: the queue is stopped or every "
                    "worker is paused."
                ),
                "active_downloads": DownloadItemSerializer(many=True),
                "pending_queue": DownloadItemSerializer(many=True),
                "completed_downloads": DownloadItemSerializer(many=True),
                "failed_downloads": DownloadItemSerializer(many=True),
            },
        ),
        "statistics": inline_serializer(
            "DownloadQueueStatistics",
            {
                "total_items": serializers.IntegerField(),
                "pending_count": serializers.IntegerField(),
                "active_count": serializers.IntegerField(),
                "completed_count": serializers.IntegerField(),
                "failed_count": serializers.IntegerField(),
                "total_downloaded_mb": serializers.FloatField(),
                "average_speed_mbps": serializers.FloatField(),
                "estimated_time_remaining": serializers.IntegerField(allow_null=True),
            },
        ),
    },
)

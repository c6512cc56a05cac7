"""Response shapes of the queue API (web and legacy), for the OpenAPI schema and the views."""

from __future__ import annotations

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from jobs.services import manage

COUNT = inline_serializer(
    "QueueOperation", {"count": serializers.IntegerField(), "status": serializers.CharField()}
)
RETRIED = inline_serializer(
    "QueueRetried",
    {
        "count": serializers.IntegerField(help_text="How many jobs went back to pending."),
        "retried": serializers.ListField(child=serializers.IntegerField()),
        "skipped": serializers.ListField(
            child=inline_serializer(
                "QueueRetrySkipped",
                {"id": serializers.IntegerField(), "reason": serializers.CharField()},
            ),
            help_text="Jobs left as they were, with why (e.g. the same work is already queued).",
        ),
        "status": serializers.CharField(),
    },
)
CANCELLED = inline_serializer(
    "QueueCancelled",
    {
        "cancelled": serializers.IntegerField(),
        "flagged": serializers.IntegerField(),
        "status": serializers.CharField(),
    },
)
WORKERS = inline_serializer(
    "WorkerState",
    {
        "status": serializers.CharField(),
        "alive": serializers.BooleanField(),
        "paused": serializers.BooleanField(),
        "clusters": serializers.IntegerField(),
        "details": serializers.ListField(child=serializers.DictField()),
    },
)
SUMMARY = inline_serializer(
    "QueueSummary",
    {
        "pending": serializers.IntegerField(),
        "running": serializers.IntegerField(),
        "completed": serializers.IntegerField(),
        "errors": serializers.IntegerField(),
        "cancelled": serializers.IntegerField(),
        "total": serializers.IntegerField(),
        "avg_time": serializers.FloatField(allow_null=True),
        "eta": serializers.FloatField(allow_null=True),
        "paused": serializers.BooleanField(),
        "worker": WORKERS,
    },
)


def retried(report: manage.RetryReport) -> dict:
    return {
        "count": report.count,
        "retried": report.retried,
        "skipped": report.skipped,
        "status": "success",
    }

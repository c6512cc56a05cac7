"""Aniworld's scheduler endpoints (`/api/scheduler/*`): the rescan schedule's settings and
state in one envelope, a partial update that keeps what it does not name, and a manual rescan.
The settings are the `scheduler` section of `/api/config`; validation errors are 422."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from library.series import schedule
from nomarr_site import config
from nomarr_site.errors import Unprocessable

SchedulerEnvelope = inline_serializer(
    "SchedulerEnvelope",
    {
        "success": serializers.BooleanField(),
        "config": inline_serializer(
            "SchedulerConfig",
            {
                "enabled": serializers.BooleanField(),
                "interval_minutes": serializers.IntegerField(min_value=1),
                "schedule_time": serializers.CharField(help_text="HH:MM, 24-hour clock"),
                "schedule_days": serializers.ListField(
                    child=serializers.ChoiceField(choices=config.DAYS)
                ),
                "auto_download_after_rescan": serializers.BooleanField(),
            },
        ),
        "status": inline_serializer(
            "SchedulerStatus",
            {
                "is_running": serializers.BooleanField(),
                "next_run": serializers.DateTimeField(allow_null=True),
                "last_run": serializers.DateTimeField(allow_null=True),
                "scan_in_progress": serializers.BooleanField(),
            },
        ),
    },
)

SchedulerUpdate = inline_serializer(
    "SchedulerUpdate",
    {
        "enabled": serializers.BooleanField(required=False),
        "interval_minutes": serializers.IntegerField(required=False, min_value=1),
        "schedule_time": serializers.CharField(required=False),
        "schedule_days": serializers.ListField(
            child=serializers.ChoiceField(choices=config.DAYS), required=False
        ),
        "auto_download_after_rescan": serializers.BooleanField(required=False),
    },
)


def envelope() -> dict[str, Any]:
    return {
        "success": True,
        "config": schedule.Plan.current().as_config(),
        "status": schedule.status(),
    }


def parse_update(body: Any) -> dict[str, Any]:
    """The setting values a POST asks for, each validated; a 422 naming every bad field."""
    if not isinstance(body, dict):
        raise Unprocessable("The body must be a JSON object", details={"fields": {}})
    values, errors = {}, {}
    for name, value in body.items():
        key = schedule.KEYS.get(name)
        if key is None:
            errors[str(name)[:100]] = ["unknown field; use " + ", ".join(schedule.KEYS)]
            continue
        try:
            values[key] = config.parse_change(key, value)
        except config.InvalidSetting as exc:
            errors[name] = [str(exc)]
    if errors:
        lines = "; ".join(f"{field}: {' '.join(why)}" for field, why in errors.items())
        raise Unprocessable(f"Invalid input: {lines}", details={"fields": errors})
    return values


class SchedulerConfigView(APIView):
    @extend_schema(responses=SchedulerEnvelope)
    def get(self, request: Request) -> Response:
        return Response(envelope())

    @extend_schema(
        request=SchedulerUpdate,
        responses=SchedulerEnvelope,
        description="Change some settings (the others keep their values) and re-plan the next "
        "run at once. `schedule_time` is HH:MM (00:00-23:59), `schedule_days` a non-empty list "
        "of mon..sun, `interval_minutes` at least 1: on each chosen day the rescan runs at "
        "`schedule_time` and then every `interval_minutes` until midnight.",
    )
    def post(self, request: Request) -> Response:
        values = parse_update(request.data)
        if values:
            config.set_many(values)
        return Response(envelope())


class TriggerRescanView(APIView):
    @extend_schema(
        request=None,
        responses=inline_serializer("RescanStarted", {"message": serializers.CharField()}),
        description="Queue a rescan of the series library now (then the download of missing "
        "episodes when `auto_download_after_rescan` is on). 503 without a usable series "
        "directory.",
    )
    def post(self, request: Request) -> Response:
        schedule.start_rescan("triggered")
        return Response({"message": "Rescan started successfully"})

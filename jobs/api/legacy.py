"""Legacy queue endpoints for API-key holders (`/api/v1/list`, `/api/v1/status/{id}`,
`/admin/worker/*`, `/admin/cleanup`, `/admin/queue/summary`, `/admin/cache/refresh`)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from jobs import hooks
from jobs.api import params, schemas
from jobs.api.views import (
    JOB_LIST,
    KIND_PARAMETER,
    LIST_PARAMETERS,
    WorkerPauseView,
    WorkerResumeView,
    job_list_response,
    job_or_404,
)
from jobs.serializers import JobDetailSerializer, job_json
from jobs.services import listing, manage

NO_CACHE_MESSAGE = (
    "No model cache exists yet: the tagging models are not loaded by this version, "
    "so there is nothing to refresh."
)


class CleanupSerializer(serializers.Serializer):
    hours = serializers.IntegerField(
        min_value=0, max_value=manage.MAX_CLEANUP_HOURS, default=manage.DEFAULT_CLEANUP_HOURS
    )


class LegacyListView(APIView):
    @extend_schema(parameters=LIST_PARAMETERS, responses=JOB_LIST)
    def get(self, request):
        return job_list_response(request)


class LegacyStatusView(APIView):
    @extend_schema(responses=JobDetailSerializer)
    def get(self, request, job_id: int):
        return Response(job_json(job_or_404(job_id), detail=True))


class AdminWorkerPauseView(WorkerPauseView):
    pass


class AdminWorkerResumeView(WorkerResumeView):
    pass


class AdminCleanupView(APIView):
    @extend_schema(
        request=CleanupSerializer,
        parameters=[
            OpenApiParameter("hours", int, description="age in hours (default 168)"),
            KIND_PARAMETER,
        ],
        responses=inline_serializer(
            "QueueCleanup",
            {
                "removed": serializers.IntegerField(),
                "hours": serializers.IntegerField(),
                "status": serializers.CharField(),
            },
        ),
    )
    def post(self, request):
        raw = dict(request.data) if isinstance(request.data, dict) else {}
        if "hours" not in raw and "hours" in request.query_params:
            raw["hours"] = request.query_params["hours"]
        body = CleanupSerializer(data=raw)
        body.is_valid(raise_exception=True)
        hours = body.validated_data["hours"]
        removed = manage.cleanup(hours, params.kind_filter(request.query_params))
        return Response({"removed": removed, "hours": hours, "status": "success"})


class AdminQueueSummaryView(APIView):
    @extend_schema(responses=schemas.SUMMARY)
    def get(self, request):
        return Response(listing.queue_summary())


class AdminCacheRefreshView(APIView):
    @extend_schema(
        request=None,
        responses=inline_serializer(
            "CacheRefresh",
            {
                "status": serializers.CharField(),
                "message": serializers.CharField(),
                "refreshed": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def post(self, request):
        refreshed = hooks.refresh_caches()["refreshed"]
        failed = [r["name"] for r in refreshed if r["status"] != "success"]
        if not refreshed:
            message = NO_CACHE_MESSAGE
        elif failed:
            message = f"Refresh failed for: {', '.join(failed)}"
        else:
            message = "Model cache refreshed: " + ", ".join(r["name"] for r in refreshed)
        status = "error" if failed else "success"
        return Response({"status": status, "message": message, "refreshed": refreshed})

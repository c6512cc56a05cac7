"""Calibration endpoints of the web API (the reference's generate, apply, status and clear)
and the run history with each head's drift figures."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiTypes, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from calibration import recalibrate_job
from calibration.build import build
from calibration.calibrate_job import queue_calibrate
from calibration.models import Calibration
from calibration.sidecars import save_sidecars
from calibration.summary import head_data, run_json
from nomarr_site.pagination import PAGE_PARAMETERS, limit_offset, page_body


class GenerateRequest(serializers.Serializer):
    save_sidecars = serializers.BooleanField(required=False, default=False)
    background = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Queue a `calibrate` job and answer 202 at once instead of waiting.",
    )


class GenerateView(APIView):
    @extend_schema(
        request=GenerateRequest,
        responses={200: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT},
        description="Build a calibration from the stored raw scores (no inference) and answer "
        "`data[<head>]` = {min: p5, max: p95, samples} of its positive class, with the classes "
        "in full beside it. 409 when fewer tracks than `calibration_min_samples` have scores.",
    )
    def post(self, request):
        data = GenerateRequest(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["background"]:
            job = queue_calibrate(data.validated_data["save_sidecars"])
            body = {"status": "queued", "job_id": job.pk, "message": "Calibration queued"}
            return Response(body, status=status.HTTP_202_ACCEPTED)
        run = build()
        saved = save_sidecars(run) if data.validated_data["save_sidecars"] else []
        return Response(
            {
                "status": "success",
                "version": run.version,
                "changed_heads": run.changed_heads,
                "data": head_data(run),
                "saved_files": saved,
            }
        )


class ApplyView(APIView):
    @extend_schema(
        request=None,
        responses=inline_serializer(
            "CalibrationApplied",
            {
                "queued": serializers.IntegerField(),
                "message": serializers.CharField(),
                "job_id": serializers.IntegerField(),
            },
        ),
        description="Queue the re-tagging of every tagged track from stored scores. `queued` "
        "is the number of files; a `recalibrate_all` job (`job_id`) queues their jobs.",
    )
    def post(self, request):
        queued, job = recalibrate_job.apply()
        message = f"Queued {queued} files for recalibration"
        return Response({"queued": queued, "message": message, "job_id": job.pk})


class StatusView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "CalibrationQueueStatus",
            {
                "pending": serializers.IntegerField(),
                "running": serializers.IntegerField(),
                "completed": serializers.IntegerField(),
                "errors": serializers.IntegerField(),
                "worker_alive": serializers.BooleanField(),
                "worker_busy": serializers.BooleanField(),
            },
        )
    )
    def get(self, request):
        return Response(recalibrate_job.status())


class ClearView(APIView):
    @extend_schema(
        request=None,
        responses=inline_serializer(
            "CalibrationCleared",
            {"cleared": serializers.IntegerField(), "message": serializers.CharField()},
        ),
    )
    def post(self, request):
        cleared = recalibrate_job.clear()
        return Response({"cleared": cleared, "message": f"Cleared {cleared} calibration jobs"})


class HistoryView(APIView):
    @extend_schema(parameters=PAGE_PARAMETERS, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        limit, offset = limit_offset(request.query_params)
        runs = Calibration.objects.order_by("-version")
        page = [run_json(run) for run in runs[offset : offset + limit]]
        return Response(page_body(page, runs.count(), limit, offset))

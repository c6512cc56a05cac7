"""Queue and worker API for the web UI (`/api/web/queue/*`, `/api/web/worker/*`)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from jobs.api import params, schemas
from jobs.models import Job
from jobs.serializers import JobDetailSerializer, JobSerializer, job_json
from jobs.services import control, listing, manage, stats, waiting, workers
from nomarr_site.errors import ConflictError, NotFoundError
from nomarr_site.pagination import PAGE_PARAMETERS, limit_offset

DEPTH = inline_serializer(
    "QueueDepth",
    {
        "pending": serializers.IntegerField(),
        "running": serializers.IntegerField(),
        "completed": serializers.IntegerField(),
        "errors": serializers.IntegerField(),
    },
)
JOB_LIST = inline_serializer(
    "JobList",
    {
        "jobs": JobSerializer(many=True),
        "total": serializers.IntegerField(),
        "limit": serializers.IntegerField(),
        "offset": serializers.IntegerField(),
        "waiting": serializers.DictField(
            child=serializers.CharField(),
            help_text="kind → why this page's pending jobs of that kind are not running yet",
        ),
    },
)
REMOVED = inline_serializer(
    "QueueCleared", {"removed": serializers.IntegerField(), "status": serializers.CharField()}
)
MESSAGE = inline_serializer(
    "WorkerControl", {"status": serializers.CharField(), "message": serializers.CharField()}
)
LIST_PARAMETERS = [
    *PAGE_PARAMETERS,
    OpenApiParameter("status", str, enum=list(Job.Status.values)),
    OpenApiParameter("kind", str),
    OpenApiParameter("subject", str, description="only this subject's jobs: library.track:42"),
    OpenApiParameter("track_id", int, description="same as subject=library.track:<track_id>"),
]


def job_or_404(job_id: int) -> Job:
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        raise NotFoundError(f"Job {job_id} not found")
    return job


def job_list_response(request) -> Response:
    # The reference's envelope (jobs/total), the one limit/offset rule (nomarr_site/pagination).
    limit, offset = limit_offset(request.query_params)
    jobs = listing.list_jobs(
        status=params.status_filter(request.query_params),
        kind=params.kind_filter(request.query_params),
        subject=params.subject_filter(request.query_params),
    )
    total = jobs.count()
    page = list(jobs[offset : offset + limit])
    pending = {job.kind for job in page if job.status == Job.Status.PENDING}
    return Response(
        {
            "jobs": JobSerializer(page, many=True).data,
            "total": total,
            "limit": limit,
            "offset": offset,
            "waiting": waiting.waiting_reasons(pending),
        }
    )


class QueueDepthView(APIView):
    @extend_schema(responses=DEPTH)
    def get(self, request):
        numbers = stats.counts()
        return Response({k: numbers[k] for k in ("pending", "running", "completed", "errors")})


class QueueSummaryView(APIView):
    @extend_schema(responses=schemas.SUMMARY)
    def get(self, request):
        return Response(listing.queue_summary())


class JobListView(APIView):
    @extend_schema(parameters=LIST_PARAMETERS, responses=JOB_LIST)
    def get(self, request):
        return job_list_response(request)


class JobStatusView(APIView):
    @extend_schema(responses=JobDetailSerializer)
    def get(self, request, job_id: int):
        return Response(job_json(job_or_404(job_id), detail=True))


KIND_PARAMETER = OpenApiParameter(
    "kind",
    str,
    description="Only jobs of this kind. Without it, kinds that keep their own history (the "
    "download queue's `download` jobs) are left alone.",
)


class ClearView(APIView):
    which = "all"

    @extend_schema(request=None, parameters=[KIND_PARAMETER], responses=REMOVED)
    def post(self, request):
        kind = params.kind_filter(request.query_params)
        return Response({"removed": manage.clear(self.which, kind), "status": "success"})


class RetryView(APIView):
    @extend_schema(request=params.IdsSerializer, responses=schemas.RETRIED)
    def post(self, request):
        data = params.ids_body(request.data, allow_all=True)
        report = manage.retry(data.get("job_ids"), all_errors=data.get("all_errors", False))
        return Response(schemas.retried(report))


class RetryOneView(APIView):
    @extend_schema(operation_id="api_web_queue_retry_job", request=None, responses=schemas.RETRIED)
    def post(self, request, job_id: int):
        job = job_or_404(job_id)
        params.require_status(job, (Job.Status.ERROR, Job.Status.CANCELLED), "retried")
        report = manage.retry([job_id])
        if report.skipped:
            raise ConflictError(f"Job {job_id} not retried: {report.skipped[0]['reason']}")
        return Response(schemas.retried(report))


class CancelView(APIView):
    @extend_schema(request=params.IdsSerializer, responses=schemas.CANCELLED)
    def post(self, request):
        ids = params.ids_body(request.data)["job_ids"]
        return Response({**manage.cancel(ids), "status": "success"})


class CancelOneView(APIView):
    @extend_schema(
        operation_id="api_web_queue_cancel_job", request=None, responses=schemas.CANCELLED
    )
    def post(self, request, job_id: int):
        job = job_or_404(job_id)
        params.require_status(job, Job.ACTIVE, "cancelled")
        return Response({**manage.cancel([job_id]), "status": "success"})


class ReorderView(APIView):
    @extend_schema(request=params.ReorderSerializer, responses=schemas.COUNT)
    def post(self, request):
        body = params.ReorderSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        count = manage.reorder(body.validated_data["job_ids"], body.validated_data["where"])
        return Response({"count": count, "status": "success"})


class WorkerPauseView(APIView):
    @extend_schema(request=None, responses=MESSAGE)
    def post(self, request):
        control.pause()
        return Response({"status": "success", "message": "All workers paused"})


class WorkerResumeView(APIView):
    @extend_schema(request=None, responses=MESSAGE)
    def post(self, request):
        control.resume()
        return Response({"status": "success", "message": "All workers resumed"})


class WorkerRestartView(APIView):
    @extend_schema(request=None, responses=MESSAGE)
    def post(self, request):
        control.request_restart()
        return Response(
            {
                "status": "success",
                "message": (
                    "Worker clusters are restarting: running jobs finish first, then "
                    "`nom serve` (or the service manager running `nom qcluster`) starts the "
                    "workers again within a few seconds."
                ),
            }
        )


class WorkerStatusView(APIView):
    @extend_schema(responses=schemas.WORKERS)
    def get(self, request):
        return Response(workers.cluster_summary())

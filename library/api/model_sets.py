"""POST /api/web/models/fetch: download a model set from the web UI (a `models_fetch` job);
its progress is the job's, followed like any job."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from library.tagging.fetch_job import queue_models_fetch
from library.tagging.model_sets import MODEL_SETS


class FetchRequest(serializers.Serializer):
    model_set = serializers.ChoiceField(choices=list(MODEL_SETS), default="default")


class ModelFetchView(APIView):
    @extend_schema(
        request=FetchRequest,
        responses={
            202: inline_serializer(
                "ModelFetchQueued",
                {"job_id": serializers.IntegerField(), "message": serializers.CharField()},
            )
        },
    )
    def post(self, request):
        data = FetchRequest(data=request.data)
        data.is_valid(raise_exception=True)
        job = queue_models_fetch(data.validated_data["model_set"])
        message = f"Fetching the '{data.validated_data['model_set']}' model set (job {job.pk})"
        return Response({"job_id": job.pk, "message": message}, status=status.HTTP_202_ACCEPTED)

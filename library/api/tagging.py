"""Tagging entry points over HTTP: queue a file (legacy API), queue picked files and folders
(web API), read one file's tags, and Lidarr's webhook."""

from __future__ import annotations

import logging

from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from library.api import lidarr
from library.paths import resolve_inside_roots
from library.tagfiles.errors import TagFileError
from library.tagfiles.reader import read_tags
from library.tagging.requests import queue_file, queue_paths
from nomarr_site import config
from nomarr_site.errors import ValidationFailed
from nomarr_site.parsers import JSONParser

logger = logging.getLogger(__name__)


class TagRequest(serializers.Serializer):
    path = serializers.CharField(max_length=4096, trim_whitespace=False)
    force = serializers.BooleanField(required=False, default=False)


class ProcessRequest(serializers.Serializer):
    paths = serializers.ListField(
        child=serializers.CharField(max_length=4096, trim_whitespace=False),
        min_length=1,
        max_length=10000,
    )
    force = serializers.BooleanField(required=False, default=False)
    recursive = serializers.BooleanField(required=False, default=True)


QueueReportSerializer = inline_serializer(
    "QueueReport",
    {
        "success": serializers.BooleanField(),
        "queued": serializers.IntegerField(),
        "job_ids": serializers.ListField(child=serializers.IntegerField()),
        "refused": serializers.ListField(child=serializers.DictField()),
        "message": serializers.CharField(),
    },
)


class TagFileView(APIView):
    """POST /api/v1/tag: queue one file (Lidarr custom scripts use this)."""

    @extend_schema(
        request=TagRequest,
        description="Queue one file for tagging. 400 when the path is malformed or missing, "
        "not a file, empty (0 bytes) or unreadable (nothing is queued); 403 outside every "
        "library root.",
        responses=inline_serializer(
            "TagQueued",
            {
                "job_id": serializers.IntegerField(),
                "status": serializers.CharField(),
                "blocking": serializers.BooleanField(),
            },
        ),
    )
    def post(self, request: Request) -> Response:
        data = TagRequest(data=request.data)
        data.is_valid(raise_exception=True)
        job = queue_file(data.validated_data["path"], force=data.validated_data["force"])
        return Response({"job_id": job.pk, "status": "queued", "blocking": False})


class ProcessFilesView(APIView):
    """POST /api/web/processing/process-files: queue picked files and folders."""

    @extend_schema(request=ProcessRequest, responses=QueueReportSerializer)
    def post(self, request: Request) -> Response:
        data = ProcessRequest(data=request.data)
        data.is_valid(raise_exception=True)
        report = queue_paths(
            data.validated_data["paths"],
            force=data.validated_data["force"],
            recursive=data.validated_data["recursive"],
        )
        # An own operation: {"success": true, "message", ...} (README, "Success bodies").
        return Response({"success": True, **report.as_dict()})


class FileTagsView(APIView):
    """GET /api/v1/tags?path= and /api/web/tags?path=: one file's tags, read from the file."""

    @extend_schema(
        parameters=[OpenApiParameter("path", str, required=True)],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        path = request.query_params.get("path", "")
        resolved, _library = resolve_inside_roots(path, field="path")
        if not resolved.is_file():
            raise ValidationFailed(f"Not a file: {path}")
        namespace = config.get("namespace")
        try:
            tags = read_tags(resolved, namespace)
        except TagFileError as exc:
            raise ValidationFailed(str(exc), details={"path": str(resolved)}) from None
        return Response(
            {
                "path": str(resolved),
                "namespace": namespace,
                "tags": tags.namespace,
                "format": tags.format,
                "duration": tags.duration,
                "artist": tags.artist,
                "album": tags.album,
                "title": tags.title,
            }
        )


class LidarrWebhookView(APIView):
    """POST /api/v1/webhooks/lidarr: Lidarr's own Webhook connection (see lidarr.py)."""

    parser_classes = [JSONParser]

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request) -> Response:
        try:
            parsed = lidarr.parse(request.data)
        except lidarr.MalformedPayload as exc:
            raise ValidationFailed(f"Not a Lidarr webhook payload: {exc}") from None
        body = {
            "success": True,
            "event_type": parsed.event_type,
            "queued": 0,
            "job_ids": [],
            "refused": [],
        }
        if parsed.ignored or parsed.event_type == "Test":
            body["message"] = (
                "Lidarr connection works" if parsed.event_type == "Test" else "Event ignored"
            )
            return Response(body)
        report = queue_paths([*parsed.files, *parsed.folders], force=True)
        for refusal in report.refused:
            logger.warning("Lidarr sent a path Nomarr will not tag: %s", refusal["path"])
        body.update(report.as_dict())
        return Response(body)

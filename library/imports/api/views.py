"""The import API: AltMount's `POST /api/import/file` (its request and answer shapes; its
errors in AltMount's shape, chosen by the route's policy group) and the history behind the
imports page (`GET /api/web/imports`, paginated)."""

from __future__ import annotations

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from library.imports import history, intake
from nomarr_site.errors import ValidationFailed
from nomarr_site.pagination import PAGE_PARAMETERS, limit_offset, page_body


class ImportFileRequest(serializers.Serializer):
    file_path = serializers.CharField(help_text="Full path to the file to import")
    relative_path = serializers.CharField(
        required=False, help_text="Path that will be stripped from the file destination"
    )


ALTMOUNT_ERROR = inline_serializer(
    "AltMountError",
    {
        "error": inline_serializer(
            "AltMountErrorBody",
            {"message": serializers.CharField(), "details": serializers.CharField()},
        )
    },
)
IMPORT_ANSWER = inline_serializer(
    "ImportFileAnswer",
    {
        "data": inline_serializer(
            "ImportFileData",
            {"queue_id": serializers.IntegerField(), "message": serializers.CharField()},
        ),
        "meta": serializers.JSONField(allow_null=True, help_text="always null"),
    },
)


class ImportFileView(APIView):
    @extend_schema(
        operation_id="api_import_file",
        request=ImportFileRequest,
        parameters=[
            OpenApiParameter("apikey", str, description="A full-scope API key (or a header)")
        ],
        responses={
            200: IMPORT_ANSWER,
            **{
                code: OpenApiResponse(ALTMOUNT_ERROR, description=text)
                for code, text in (
                    (400, "Invalid request, path or file type; a directory"),
                    (401, "Missing or invalid API key"),
                    (403, "Outside every import folder, or a key without the full scope"),
                    (404, "File does not exist at the specified path"),
                    (409, "File is already in the import queue"),
                    (500, "Server error during processing"),
                )
            },
        },
        description="Add a file (audio, video, .nzb or .nzb.gz) inside an import folder to "
        "the import queue (AltMount's API).",
    )
    def post(self, request: Request) -> Response:
        body = request.data
        if not isinstance(body, dict):
            raise ValidationFailed("The request body must be a JSON object with file_path")
        item = intake.request_import(body.get("file_path"), body.get("relative_path"))
        message = f"File successfully added to import queue with ID {item.pk}"
        return Response({"data": {"queue_id": item.pk, "message": message}, "meta": None})


class ImportHistoryView(APIView):
    @extend_schema(
        operation_id="api_web_imports_list",
        parameters=[
            *PAGE_PARAMETERS,
            OpenApiParameter("status", str, enum=list(history.STATUS_FILTERS)),
        ],
        responses=inline_serializer(
            "ImportHistory",
            {
                "count": serializers.IntegerField(),
                "limit": serializers.IntegerField(),
                "offset": serializers.IntegerField(),
                "results": serializers.ListField(child=serializers.DictField()),
            },
        ),
        description="The import queue and its history, newest first, each with its outcome.",
    )
    def get(self, request: Request) -> Response:
        limit, offset = limit_offset(request.query_params)
        status = request.query_params.get("status") or None
        if status is not None and status not in history.STATUS_FILTERS:
            raise ValidationFailed(f"status must be one of {', '.join(history.STATUS_FILTERS)}")
        results, count = history.page(status, limit, offset)
        return Response(page_body(results, count, limit, offset))

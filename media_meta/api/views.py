"""The NFO API in Aniworld's shapes (`/api/nfo/*`): check, create, update, content, media
status and download for one series (by key), batch creation and the series without an NFO.
Validation errors are 422; without a TMDB key the endpoints that need TMDB answer 503.
`NfoQueueView` is Nomarr's own (`/api/web/nfo/queue`): the same work as a job."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from library.series import services as series_services
from library.series.api.validation import unprocessable, validated
from media_meta import batch, jobs, services
from media_meta.tmdb import TmdbClient

MediaFiles = inline_serializer(
    "NfoMediaFiles",
    {
        "has_poster": serializers.BooleanField(),
        "has_logo": serializers.BooleanField(),
        "has_fanart": serializers.BooleanField(),
        "poster_path": serializers.CharField(allow_null=True),
        "logo_path": serializers.CharField(allow_null=True),
        "fanart_path": serializers.CharField(allow_null=True),
    },
)
NfoWritten = inline_serializer(
    "NfoWritten",
    {
        "serie_id": serializers.CharField(),
        "serie_folder": serializers.CharField(),
        "nfo_path": serializers.CharField(),
        "media_files": MediaFiles,
        "message": serializers.CharField(),
    },
)


class CreateSerializer(serializers.Serializer):
    serie_name = serializers.CharField(max_length=500, required=False, allow_null=True)
    year = serializers.IntegerField(min_value=1800, max_value=2200, required=False, allow_null=True)
    download_poster = serializers.BooleanField(default=True)
    download_logo = serializers.BooleanField(default=True)
    download_fanart = serializers.BooleanField(default=True)
    overwrite_existing = serializers.BooleanField(default=False)


class MediaSerializer(serializers.Serializer):
    download_poster = serializers.BooleanField(default=True)
    download_logo = serializers.BooleanField(default=True)
    download_fanart = serializers.BooleanField(default=True)


class BatchSerializer(serializers.Serializer):
    serie_ids = serializers.ListField(
        child=serializers.CharField(max_length=200), max_length=1000, allow_empty=True
    )
    download_media = serializers.BooleanField(default=True)
    skip_existing = serializers.BooleanField(default=True)
    max_concurrent = serializers.IntegerField(min_value=1, max_value=10, default=3)


class NfoCheckView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "NfoCheck",
            {
                "serie_id": serializers.CharField(),
                "serie_folder": serializers.CharField(),
                "has_nfo": serializers.BooleanField(),
                "nfo_path": serializers.CharField(allow_null=True),
                "media_files": MediaFiles,
            },
        )
    )
    def get(self, request: Request, serie_id: str) -> Response:
        TmdbClient.from_settings()  # 503 without a key, as the reference says
        return Response(services.check(series_services.find(serie_id)))


class NfoCreateView(APIView):
    @extend_schema(request=CreateSerializer, responses=NfoWritten)
    def post(self, request: Request, serie_id: str) -> Response:
        data = validated(CreateSerializer(data=request.data))
        series = series_services.find(serie_id)
        return Response(services.create(series, services.CreateOptions(**data)))


class NfoUpdateView(APIView):
    @extend_schema(
        request=None,
        parameters=[OpenApiParameter("download_media", bool, description="Default true.")],
        responses=NfoWritten,
    )
    def put(self, request: Request, serie_id: str) -> Response:
        raw = request.query_params.get("download_media", "true").strip().lower()
        if raw not in ("true", "false", "1", "0"):
            raise unprocessable("download_media must be true or false", "download_media")
        TmdbClient.from_settings()
        series = series_services.find(serie_id)
        return Response(services.update(series, raw in ("true", "1")))


class NfoContentView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "NfoContent",
            {
                "serie_id": serializers.CharField(),
                "serie_folder": serializers.CharField(),
                "content": serializers.CharField(),
                "file_size": serializers.IntegerField(),
                "last_modified": serializers.DateTimeField(),
            },
        )
    )
    def get(self, request: Request, serie_id: str) -> Response:
        return Response(services.content(series_services.find(serie_id)))


class NfoMediaStatusView(APIView):
    @extend_schema(responses=MediaFiles)
    def get(self, request: Request, serie_id: str) -> Response:
        return Response(services.media_status(series_services.find(serie_id)))


class NfoMediaDownloadView(APIView):
    @extend_schema(request=MediaSerializer, responses=MediaFiles)
    def post(self, request: Request, serie_id: str) -> Response:
        data = validated(MediaSerializer(data=request.data))
        TmdbClient.from_settings()
        series = series_services.find(serie_id)
        wanted = {
            "poster": data["download_poster"],
            "logo": data["download_logo"],
            "fanart": data["download_fanart"],
        }
        return Response(services.media_download(series, wanted))


class NfoBatchCreateView(APIView):
    @extend_schema(
        request=BatchSerializer,
        responses=inline_serializer(
            "NfoBatchResult",
            {
                "total": serializers.IntegerField(),
                "successful": serializers.IntegerField(),
                "failed": serializers.IntegerField(),
                "skipped": serializers.IntegerField(),
                "results": inline_serializer(
                    "NfoBatchItem",
                    {
                        "serie_id": serializers.CharField(),
                        "serie_folder": serializers.CharField(),
                        "success": serializers.BooleanField(),
                        "message": serializers.CharField(),
                        "nfo_path": serializers.CharField(allow_null=True),
                    },
                    many=True,
                ),
            },
        ),
        description="A skipped series (NFO already there) has success false and counts in "
        "`skipped`, not `failed`.",
    )
    def post(self, request: Request) -> Response:
        data = validated(BatchSerializer(data=request.data))
        return Response(
            batch.batch_create(
                data["serie_ids"],
                data["download_media"],
                data["skip_existing"],
                data["max_concurrent"],
            )
        )


class NfoMissingView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "NfoMissing",
            {
                "total_series": serializers.IntegerField(),
                "missing_nfo_count": serializers.IntegerField(),
                "series": inline_serializer(
                    "NfoMissingSeries",
                    {
                        "serie_id": serializers.CharField(),
                        "serie_folder": serializers.CharField(),
                        "serie_name": serializers.CharField(),
                        "has_media": serializers.BooleanField(),
                        "media_files": MediaFiles,
                    },
                    many=True,
                ),
            },
        )
    )
    def get(self, request: Request) -> Response:
        return Response(services.missing())


class QueueBatchSerializer(serializers.Serializer):
    serie_ids = serializers.ListField(
        child=serializers.CharField(max_length=200), max_length=1000, required=False
    )
    download_media = serializers.BooleanField(default=True)


class NfoQueueView(APIView):
    """Nomarr's own: queue NFO creation as a job (the series page follows it)."""

    @extend_schema(
        request=QueueBatchSerializer,
        responses=inline_serializer(
            "NfoQueued",
            {
                "success": serializers.BooleanField(),
                "message": serializers.CharField(),
                "count": serializers.IntegerField(),
                "job_id": serializers.IntegerField(allow_null=True),
            },
        ),
        description="Queue an `nfo_batch` job for `serie_ids` (default: every series without "
        "an NFO); series that have one are skipped.",
    )
    def post(self, request: Request) -> Response:
        data = QueueBatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        TmdbClient.from_settings()
        keys = data.validated_data.get("serie_ids")
        if keys is None:
            keys = [row["serie_id"] for row in services.missing()["series"]]
        if not keys:
            message = "Every series has an NFO"
            return Response({"success": True, "message": message, "count": 0, "job_id": None})
        job = jobs.queue_nfo_batch(keys, download_media=data.validated_data["download_media"])
        message = f"Queued NFO creation for {len(keys)} series"
        return Response({"success": True, "message": message, "count": len(keys), "job_id": job.pk})

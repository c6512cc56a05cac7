"""Library endpoints of the web API: list/create, read/update/delete, statistics, scan."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from library import libraries
from library.api.serializers import (
    DeletedSerializer,
    DeleteRequestSerializer,
    LibrarySerializer,
    LibraryWriteSerializer,
    ScanQueuedSerializer,
    ScanRequestSerializer,
    StatsSerializer,
)
from library.models import Library
from nomarr_site.env import parse_bool
from nomarr_site.errors import NotFoundError, ValidationFailed
from nomarr_site.integers import optional_query_int


def query_bool(request, name: str, default: bool = False) -> bool:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    value = parse_bool(raw)
    if value is not None:
        return value
    raise ValidationFailed(f"Query parameter '{name}' must be true or false, got '{raw}'.")


def library_json(library: Library) -> dict:
    """The library as every endpoint answers it, with its file, tagged and scan overview."""
    return dict(
        LibrarySerializer(libraries.with_overview(Library.objects.filter(pk=library.pk)).get()).data
    )


def get_library(library_id: int) -> Library:
    library = Library.objects.filter(pk=library_id).first()
    if library is None:
        raise NotFoundError(f"Library {library_id} not found")
    return library


class LibraryListView(APIView):
    """A bare, unpaginated list (the reference fixes its shape; README "Pagination"): a home server
    has a handful of libraries. Ordered by name."""

    @extend_schema(
        parameters=[OpenApiParameter("enabled_only", OpenApiTypes.BOOL, default=False)],
        responses=LibrarySerializer(many=True),
    )
    def get(self, request):
        rows = libraries.with_overview(Library.objects.order_by("name", "id"))
        if query_bool(request, "enabled_only"):
            rows = rows.filter(is_enabled=True)
        return Response(LibrarySerializer(rows, many=True).data)

    @extend_schema(
        request=LibraryWriteSerializer,
        responses={201: LibrarySerializer},
        description="Create a library. The root must be an existing, readable folder; "
        "400 when it is not, 409 when it equals, lies inside or contains another root.",
    )
    def post(self, request):
        data = LibraryWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        library = libraries.create_library(data.validated_data)
        return Response(library_json(library), status=status.HTTP_201_CREATED)


class LibraryDetailView(APIView):
    @extend_schema(responses=LibrarySerializer)
    def get(self, request, library_id: int):
        return Response(library_json(get_library(library_id)))

    @extend_schema(request=LibraryWriteSerializer, responses=LibrarySerializer)
    def patch(self, request, library_id: int):
        library = get_library(library_id)
        data = LibraryWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        library = libraries.update_library(library, data.validated_data)
        return Response(library_json(library))

    @extend_schema(
        request=DeleteRequestSerializer,
        parameters=[OpenApiParameter("confirm", OpenApiTypes.BOOL, default=False)],
        responses=DeletedSerializer,
        description="Forget the library and its tracks in Nomarr; files are never touched. "
        'Requires ?confirm=true or {"confirm": true}.',
    )
    def delete(self, request, library_id: int):
        library = get_library(library_id)
        body = DeleteRequestSerializer(data=request.data if isinstance(request.data, dict) else {})
        body.is_valid(raise_exception=True)
        if not (query_bool(request, "confirm") or body.validated_data["confirm"]):
            raise ValidationFailed(
                "Deleting a library forgets its tracks and scores (files are not touched); "
                'repeat with ?confirm=true or {"confirm": true} to go ahead.'
            )
        removed = libraries.delete_library(library)
        return Response(
            {
                "success": True,
                "message": f"Library '{library.name}' deleted; its files were not touched.",
                "tracks_removed": removed,
            }
        )


class LibraryStatsView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("library_id", OpenApiTypes.INT, required=False)],
        responses=StatsSerializer,
    )
    def get(self, request):
        library_id = optional_query_int(request.query_params, "library_id")
        if library_id is not None:
            get_library(library_id)
        return Response(libraries.library_stats(library_id))


def queue_scan_response(library: Library, options: dict) -> Response:
    queued = libraries.request_scan(library, **options)
    return Response(
        {"queued": int(queued.created), "message": queued.message, "job_id": queued.job_id}
    )


class LibraryScanView(APIView):
    @extend_schema(
        request=ScanRequestSerializer,
        responses=ScanQueuedSerializer,
        description="Queue one scan job. Paths must lie inside this library (400 malformed "
        "or missing, 403 outside); 409 when the library is disabled. queued=0 when the same "
        "scan is already pending or running (its job_id is returned).",
    )
    def post(self, request, library_id: int):
        library = get_library(library_id)
        data = ScanRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return queue_scan_response(library, dict(data.validated_data))

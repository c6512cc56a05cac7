"""Track endpoints of the web API: a library's tracks (paginated, searchable) and one track
with its raw scores."""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from library.api.libraries import get_library
from library.api.serializers import TrackDetailSerializer, TrackSerializer
from library.models import Track
from nomarr_site.errors import NotFoundError, ValidationFailed

MAX_SEARCH_LENGTH = 200


class LibraryTracksView(ListAPIView):
    serializer_class = TrackSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "search", OpenApiTypes.STR, description="In title, artist, album or path."
            )
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        library = get_library(self.kwargs["library_id"])
        tracks = Track.objects.filter(library=library).order_by("path", "id")
        search = self.request.query_params.get("search", "").strip()
        if len(search) > MAX_SEARCH_LENGTH:
            raise ValidationFailed(f"search is limited to {MAX_SEARCH_LENGTH} characters.")
        if "\x00" in search:  # PostgreSQL refuses NUL in text: a 500 rather than no match
            raise ValidationFailed("search may not contain NUL characters.")
        if search:
            tracks = tracks.filter(
                Q(title__icontains=search)
                | Q(artist__icontains=search)
                | Q(album__icontains=search)
                | Q(relative_path__icontains=search)
            )
        return tracks


class TrackDetailView(APIView):
    @extend_schema(responses=TrackDetailSerializer)
    def get(self, request, track_id: int):
        track = Track.objects.prefetch_related("scores").filter(pk=track_id).first()
        if track is None:
            raise NotFoundError(f"Track {track_id} not found")
        return Response(TrackDetailSerializer(track).data)

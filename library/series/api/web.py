"""The web API behind the series pages: the library's series (paginated, searchable,
filtered by missing episodes), one series with its episodes by season and its NFO/artwork
status (PATCH sets its download source), and its poster image."""

from __future__ import annotations

import os
from typing import Any

from django.db.models import Q
from django.http import FileResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from library.downloads.url_template import check_template
from library.models import Series
from library.series import services
from library.series.scan import folder_of
from media_meta import artwork, nfo
from media_meta.tmdb import TmdbKeyUnreadable
from nomarr_site import config
from nomarr_site.errors import NotFoundError, ValidationFailed
from nomarr_site.pagination import PAGE_PARAMETERS, limit_offset, page_body
from nomarr_site.timefmt import utc_iso

MAX_SEARCH = 200
WEB_FILTERS = ("all", "missing", "complete", "no_episodes")


def _row(series: Any) -> dict[str, Any]:
    return {
        "id": series.pk,
        "key": series.key,
        "name": series.name,
        "folder": series.folder,
        "year": series.year,
        "tmdb_id": series.tmdb_id,
        "link": series.link,
        "present": series.present_count,
        "missing": series.missing_count,
        "scanned_at": utc_iso(series.scanned_at) if series.scanned_at else None,
        "download_source": series.download_source,
    }


def _filtered(request: Request) -> Any:
    search = request.query_params.get("search", "").strip()
    if len(search) > MAX_SEARCH or "\x00" in search:
        raise ValidationFailed(f"search is limited to {MAX_SEARCH} characters, without NUL")
    which = request.query_params.get("filter") or "all"
    if which not in WEB_FILTERS:
        raise ValidationFailed(f"filter must be one of {', '.join(WEB_FILTERS)}")
    rows = services.with_counts(Series.objects.all())
    if search:
        rows = rows.filter(Q(name__icontains=search) | Q(folder__icontains=search))
    if which == "missing":
        rows = rows.filter(Q(missing_count__gt=0))
    elif which == "complete":
        rows = rows.filter(Q(missing_count=0))
    elif which == "no_episodes":
        rows = rows.filter(Q(present_count=0))
    return rows.order_by("name", "pk")


class SeriesListView(APIView):
    @extend_schema(
        operation_id="api_web_series_list",
        parameters=[
            *PAGE_PARAMETERS,
            OpenApiParameter("search", str, description="In the name or folder (≤ 200)."),
            OpenApiParameter("filter", str, enum=list(WEB_FILTERS)),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        limit, offset = limit_offset(request.query_params)
        rows = _filtered(request)
        body = page_body(
            [_row(s) for s in rows[offset : offset + limit]], rows.count(), limit, offset
        )
        body["directory"] = config.get("series_directory")
        body.update(_tmdb_state())
        return Response(body)


def _tmdb_state() -> dict[str, Any]:
    """`tmdb_configured`, and `tmdb_problem`: why a stored key cannot be used (it no longer
    opens: SECRET_KEY changed), so the pages ask for it again instead of for a first key."""
    try:
        return {"tmdb_configured": bool(config.secret("tmdb_api_key")), "tmdb_problem": None}
    except config.SecretUnreadable:
        return {"tmdb_configured": False, "tmdb_problem": str(TmdbKeyUnreadable())}


def _seasons(series: Series) -> list[dict[str, Any]]:
    seasons: dict[int, list[dict[str, Any]]] = {}
    folder = None
    for episode in series.episodes.order_by("season", "number"):
        if folder is None:
            folder = str(folder_of(series))
        seasons.setdefault(episode.season, []).append(
            {
                "number": episode.number,
                "code": episode.code,
                "title": episode.title,
                "air_date": episode.air_date.isoformat() if episode.air_date else None,
                "present": episode.is_present,
                "file": os.path.relpath(episode.path, folder) if episode.path else None,
            }
        )
    return [{"season": n, "episodes": eps} for n, eps in sorted(seasons.items())]


class SeriesPatchSerializer(serializers.Serializer):
    download_source = serializers.CharField(
        allow_blank=True,
        max_length=2000,
        help_text="URL template of an episode's file: http(s), with {season}, {episode} "
        "(format specs allowed: {season:02d}) and {key}; empty removes the source.",
    )


class SeriesDetailView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, series_id: int) -> Response:
        series = services.with_counts(Series.objects.filter(pk=series_id)).first()
        if series is None:
            raise NotFoundError(f"Series {series_id} not found")
        folder = folder_of(series)
        body = _row(series)
        body.update(
            {
                "description": series.description,
                "seasons": _seasons(series),
                "has_nfo": (folder / nfo.NFO_NAME).is_file(),
                "media_files": artwork.media_status(folder),
                **_tmdb_state(),
            }
        )
        return Response(body)

    @extend_schema(request=SeriesPatchSerializer, responses=OpenApiTypes.OBJECT)
    def patch(self, request: Request, series_id: int) -> Response:
        body = SeriesPatchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        series = Series.objects.filter(pk=series_id).first()
        if series is None:
            raise NotFoundError(f"Series {series_id} not found")
        series.download_source = check_template(body.validated_data["download_source"])
        series.save(update_fields=["download_source", "updated_at"])
        return self.get(request, series_id)


class SeriesPosterView(APIView):
    @extend_schema(responses={(200, "image/jpeg"): OpenApiTypes.BINARY})
    def get(self, request: Request, series_id: int) -> FileResponse:
        series = Series.objects.filter(pk=series_id).first()
        if series is None:
            raise NotFoundError(f"Series {series_id} not found")
        path = folder_of(series) / artwork.MEDIA_FILES["poster"]
        if not path.is_file():
            raise NotFoundError(f"Series {series_id} has no poster yet")
        return FileResponse(path.open("rb"), content_type="image/jpeg")

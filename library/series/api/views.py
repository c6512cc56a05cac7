"""The series API in Aniworld's shapes (`/api/anime*`): status, the list of series missing
episodes, TMDB search, add, rescan and one series. Validation errors are 422, as there."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from library.series import services
from library.series.api.validation import unprocessable, validated
from library.series.episodes import missing_by_season
from nomarr_site.auth.ratelimit import client_id
from nomarr_site.errors import ValidationFailed
from nomarr_site.integers import query_int

MAX_QUERY = 200
MAX_PER_PAGE = 1000


def _query_int(request: Request, name: str, default: int, maximum: int) -> int:
    try:
        return query_int(request.query_params, name, default, minimum=1, maximum=maximum)
    except ValidationFailed as exc:
        raise unprocessable(str(exc.detail), name) from None


def _choice(request: Request, name: str, choices: tuple[str, ...]) -> str | None:
    value = request.query_params.get(name) or None
    if value is not None and value not in choices:
        raise unprocessable(f"{name} must be one of {', '.join(choices)}", name)
    return value


SeriesItems = inline_serializer(
    "AnimeSeries",
    {
        "key": serializers.CharField(),
        "name": serializers.CharField(),
        "site": serializers.CharField(),
        "folder": serializers.CharField(),
        "missing_episodes": serializers.DictField(
            child=serializers.ListField(child=serializers.IntegerField()),
            help_text='season → missing episode numbers, e.g. {"1": [1, 2]}',
        ),
        "link": serializers.CharField(),
    },
    many=True,
)


class AnimeStatusView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "AnimeStatus",
            {"directory": serializers.CharField(), "series_count": serializers.IntegerField()},
        )
    )
    def get(self, request: Request) -> Response:
        return Response(services.status())


class AnimeListView(APIView):
    @extend_schema(
        operation_id="api_anime_list",
        parameters=[
            OpenApiParameter("page", int, description="Page number, 1 or more (default 1)."),
            OpenApiParameter("per_page", int, description="1 to 1000 (default 20)."),
            OpenApiParameter("sort_by", str, enum=list(services.SORTS)),
            OpenApiParameter("filter", str, enum=list(services.FILTERS)),
        ],
        responses=SeriesItems,
        description="Series that miss episodes (a bare list); `no_episodes`: only those with "
        "no episode on disk. `missing_episodes` sorts by the number missing, most first.",
    )
    def get(self, request: Request) -> Response:
        page = _query_int(request, "page", 1, 10**9)
        per_page = _query_int(request, "per_page", 20, MAX_PER_PAGE)
        sort_by = _choice(request, "sort_by", tuple(services.SORTS))
        filter_by = _choice(request, "filter", services.FILTERS)
        return Response(services.missing_list(page, per_page, sort_by, filter_by))


class PublicSearchThrottle(AnonRateThrottle):
    """The public search spends the owner's TMDB quota: a visitor without a credential gets
    30 searches a minute, counted by peer address (a proxy header could be forged)."""

    rate = "30/min"

    def get_ident(self, request: Request) -> str:
        return client_id(request)


class SearchSerializer(serializers.Serializer):
    query = serializers.CharField(max_length=MAX_QUERY)


class AnimeSearchView(APIView):
    """Public, as the reference says: it searches TMDB with the owner's key."""

    throttle_classes = [PublicSearchThrottle]

    @extend_schema(
        parameters=[OpenApiParameter("query", str, required=True, description="≤ 200 chars")],
        responses=SeriesItems,
    )
    def get(self, request: Request) -> Response:
        data = validated(SearchSerializer(data={"query": request.query_params.get("query")}))
        return Response(services.search(data["query"]))

    @extend_schema(request=SearchSerializer, responses=SeriesItems)
    def post(self, request: Request) -> Response:
        data = validated(SearchSerializer(data=request.data))
        return Response(services.search(data["query"]))


class AddSerializer(serializers.Serializer):
    link = serializers.CharField(max_length=500)
    name = serializers.CharField(max_length=500)


class AnimeAddView(APIView):
    @extend_schema(
        request=AddSerializer,
        responses=inline_serializer(
            "AnimeAdded",
            {
                "status": serializers.CharField(),
                "message": serializers.CharField(),
                "key": serializers.CharField(),
                "folder": serializers.CharField(),
                "db_id": serializers.IntegerField(),
                "missing_episodes": serializers.ListField(child=serializers.CharField()),
                "total_missing": serializers.IntegerField(),
            },
        ),
        description="`link`: a TMDB TV URL or id. 409 when the series (or its folder) is "
        "already in the library.",
    )
    def post(self, request: Request) -> Response:
        data = validated(AddSerializer(data=request.data))
        added = services.add(data["link"], data["name"])
        series = added.series
        return Response(
            {
                "status": "success",
                "message": f"Successfully added series: {series.name}",
                "key": series.key,
                "folder": series.folder,
                "db_id": series.pk,
                "missing_episodes": added.scan.missing,
                "total_missing": len(added.scan.missing),
            }
        )


class AnimeRescanView(APIView):
    @extend_schema(
        request=None,
        responses=inline_serializer(
            "AnimeRescan",
            {"success": serializers.BooleanField(), "message": serializers.CharField()},
        ),
        description="Queues a scan of the whole series directory (a job) and answers at once.",
    )
    def post(self, request: Request) -> Response:
        services.rescan()
        return Response({"success": True, "message": "Rescan started successfully"})


class AnimeDetailView(APIView):
    """Public, as the reference says. `episodes` are the missing ones, as Aniworld's."""

    @extend_schema(
        responses=inline_serializer(
            "AnimeDetail",
            {
                "key": serializers.CharField(),
                "title": serializers.CharField(),
                "folder": serializers.CharField(),
                "episodes": serializers.ListField(child=serializers.CharField()),
                "description": serializers.CharField(allow_null=True),
            },
        )
    )
    def get(self, request: Request, anime_id: str) -> Response:
        series = services.find(anime_id)
        missing = missing_by_season(series.episodes.filter(is_present=False))
        episodes = [f"{season}-{n}" for season, numbers in missing.items() for n in numbers]
        return Response(
            {
                "key": series.key,
                "title": series.name,
                "folder": series.folder,
                "episodes": episodes,
                "description": series.description or None,
            }
        )

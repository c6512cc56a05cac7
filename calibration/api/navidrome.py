"""Navidrome endpoints of the web API, with the reference's shapes: the tag preview, the
configuration (JSON with the TOML inside), and smart-playlist preview and generation from the
query language (a bad query is a 400 naming the position and what was expected)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiTypes, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from calibration.analytics import namespace
from calibration.navidrome import criteria, matching, tags

MAX_PREVIEW = 100


class PlaylistPreviewRequest(serializers.Serializer):
    query = serializers.CharField(max_length=2000, trim_whitespace=False)
    preview_limit = serializers.IntegerField(
        required=False, default=10, min_value=0, max_value=MAX_PREVIEW
    )


class PlaylistRequest(serializers.Serializer):
    query = serializers.CharField(max_length=2000, trim_whitespace=False)
    playlist_name = serializers.CharField(max_length=200)
    comment = serializers.CharField(max_length=1000, required=False, default="", allow_blank=True)
    limit = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=criteria.MAX_LIMIT
    )
    sort = serializers.CharField(max_length=100, required=False, default="random")
    order = serializers.ChoiceField(choices=["asc", "desc"], required=False, default="asc")
    public = serializers.BooleanField(required=False, default=False)


class TagPreviewView(APIView):
    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        description="The namespace tags in the library: `type` is `float` (every value a "
        "number) or `text`; `field` is the name smart playlists use.",
    )
    def get(self, request):
        return Response(tags.preview())


class ConfigView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "NavidromeConfig",
            {"namespace": serializers.CharField(), "config": serializers.CharField()},
        )
    )
    def get(self, request):
        return Response({"namespace": namespace(), "config": tags.toml()})


class PlaylistPreviewView(APIView):
    @extend_schema(request=PlaylistPreviewRequest, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        data = PlaylistPreviewRequest(data=request.data)
        data.is_valid(raise_exception=True)
        query = data.validated_data["query"]
        known = tags.catalogue(criteria.keys_named(query))
        rule = criteria.criteria(query, known)
        return Response(matching.preview(rule, data.validated_data["preview_limit"], known))


class PlaylistGenerateView(APIView):
    @extend_schema(
        request=PlaylistRequest,
        responses=inline_serializer(
            "NavidromePlaylist",
            {
                "playlist_name": serializers.CharField(),
                "query": serializers.CharField(),
                "content": serializers.CharField(),
            },
        ),
    )
    def post(self, request):
        data = PlaylistRequest(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        document = criteria.playlist(
            values["query"],
            values["playlist_name"],
            values["comment"],
            limit=values["limit"],
            sort=values["sort"],
            order=values["order"],
            public=values["public"],
        )
        return Response(
            {
                "playlist_name": values["playlist_name"],
                "query": values["query"],
                "content": criteria.nsp_text(document),
            }
        )

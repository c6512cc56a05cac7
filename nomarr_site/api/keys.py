"""API keys over HTTP (Wizarr's shapes): list, create (the only time a key is shown), delete.
A key's `scope` (`tag` or `full`, see `ApiKey`) is chosen when it is created; the reference
API has no scope, so a request without one gets `full`, today's powers."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from nomarr_site.errors import NotFoundError, ValidationFailed
from nomarr_site.models import ApiKey


class ApiKeySerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiKey
        fields = ["id", "name", "prefix", "scope", "created_at", "last_used_at", "created_by"]


class CreateKeySerializer(serializers.Serializer):
    # Length and duplicates are checked by ApiKey.create_key, so the API, the page and the CLI
    # refuse the same names with the same words.
    name = serializers.CharField(trim_whitespace=True, allow_blank=True)
    scope = serializers.ChoiceField(
        choices=ApiKey.Scope.choices,
        default=ApiKey.Scope.FULL,
        error_messages={"invalid_choice": "Unknown scope {input!r}; use 'tag' or 'full'."},
    )


class CreatedKeySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    key = serializers.CharField()
    scope = serializers.CharField()
    created_at = serializers.DateTimeField()


def creator_name(request) -> str:
    credential = request.auth
    return credential.label if credential is not None else "admin"


class ApiKeyListView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "ApiKeyList",
            {"api_keys": ApiKeySerializer(many=True), "count": serializers.IntegerField()},
        )
    )
    def get(self, request):
        keys = ApiKey.objects.active().order_by("id")
        return Response({"api_keys": ApiKeySerializer(keys, many=True).data, "count": keys.count()})

    @extend_schema(
        request=CreateKeySerializer,
        responses={
            201: inline_serializer(
                "ApiKeyCreated",
                {"message": serializers.CharField(), "api_key": CreatedKeySerializer()},
            )
        },
    )
    def post(self, request):
        data = CreateKeySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key, clear = ApiKey.create_key(
            data.validated_data["name"], creator_name(request), data.validated_data["scope"]
        )
        return Response(
            {
                "message": f"API key '{key.name}' created. Copy it now: it is not shown again.",
                "api_key": {
                    "id": key.id,
                    "name": key.name,
                    "key": clear,
                    "scope": key.scope,
                    "created_at": key.created_at,
                },
            },
            status=status.HTTP_201_CREATED,
        )


class ApiKeyDetailView(APIView):
    @extend_schema(
        request=None,
        responses=inline_serializer("ApiKeyDeleted", {"message": serializers.CharField()}),
    )
    def delete(self, request, key_id: int):
        key = ApiKey.objects.active().filter(pk=key_id).first()
        if key is None:
            raise NotFoundError(f"API key {key_id} not found")
        credential = request.auth
        if (
            credential is not None
            and credential.api_key is not None
            and credential.api_key.pk == key.pk
        ):
            raise ValidationFailed("You cannot delete the API key used for this request")
        key.revoke()
        return Response({"message": f"API key '{key.name}' deleted successfully"})

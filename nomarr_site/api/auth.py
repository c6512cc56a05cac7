"""Login, logout, setup and status endpoints (token and browser-session flavours)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import login as django_login
from django.contrib.auth import logout as django_logout
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from library.series import services as series_services
from nomarr_site.auth import passwords, ratelimit
from nomarr_site.auth.credentials import SESSION, TOKEN
from nomarr_site.errors import ApiError, ValidationFailed
from nomarr_site.models import AuthToken


class AuthenticationError(ApiError):
    status_code = 401
    default_code = "AUTHENTICATION_ERROR"
    default_detail = "Invalid credentials"


class SetupSerializer(serializers.Serializer):
    master_password = serializers.CharField(max_length=256, trim_whitespace=False)
    anime_directory = serializers.CharField(required=False, allow_blank=True, max_length=4096)


class LoginSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=256, trim_whitespace=False)
    remember = serializers.BooleanField(required=False, default=False)


def _client(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:200]


def _check_password(request, password: str):
    user = passwords.verify(password)
    if user is None:
        ratelimit.record_failure(request)
        raise AuthenticationError("Invalid credentials")
    ratelimit.record_success(request)
    return user


class SetupView(APIView):
    """First start only: set the admin password, and the series directory when given (its
    show folders are synced into the series library)."""

    @extend_schema(
        request=SetupSerializer,
        responses={201: inline_serializer("SetupOk", {"status": serializers.CharField()})},
    )
    def post(self, request):
        ratelimit.check_and_count(request._request)
        data = SetupSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if passwords.is_configured():
            raise ValidationFailed("Master password is already configured")
        directory = data.validated_data.get("anime_directory") or ""
        if directory:
            series_services.check_directory(directory, field="anime_directory")
        try:
            passwords.set_password(data.validated_data["master_password"], allow_replace=False)
        except passwords.WeakPassword as exc:
            raise ValidationFailed(str(exc)) from None
        except passwords.AlreadyConfigured:
            raise ValidationFailed("Master password is already configured") from None
        if directory:
            series_services.set_directory(directory)
        return Response({"status": "ok"}, status=status.HTTP_201_CREATED)


@dataclass(frozen=True)
class LoginShape:
    """What one login endpoint issues and how it answers: the references give the same login
    two token kinds and two response bodies."""

    description: str
    kind: str  # AuthToken.Kind
    honours_remember: bool  # whether `remember` gives the longer lifetime
    response: serializers.Serializer
    body: Callable[[AuthToken, str, timedelta], dict[str, Any]]


ACCESS_TOKEN = LoginShape(
    "Password → bearer access token (Aniworld shape).",
    AuthToken.Kind.ACCESS,
    True,
    inline_serializer(
        "AccessToken",
        {
            "access_token": serializers.CharField(),
            "token_type": serializers.CharField(),
            "expires_at": serializers.DateTimeField(),
        },
    ),
    lambda token, clear, _lifetime: {
        "access_token": clear,
        "token_type": "bearer",
        "expires_at": token.expires_at,
    },
)
SESSION_TOKEN = LoginShape(
    "Password → session token (Nomarr web API shape).",
    AuthToken.Kind.WEB,
    False,
    inline_serializer(
        "SessionToken",
        {"session_token": serializers.CharField(), "expires_in": serializers.IntegerField()},
    ),
    lambda _token, clear, lifetime: {
        "session_token": clear,
        "expires_in": int(lifetime.total_seconds()),
    },
)


class LoginSchema(AutoSchema):
    """Documents each login route with its own shape (the view is shared)."""

    def get_description(self) -> str:
        return self.view.shape.description

    def get_request_serializer(self) -> Any:
        return LoginSerializer

    def get_response_serializers(self) -> Any:
        return {200: self.view.shape.response}


class LoginView(APIView):
    """Password → a token, in the `shape` the route was built with
    (`LoginView.as_view(shape=SESSION_TOKEN)`)."""

    shape: LoginShape = ACCESS_TOKEN
    schema = LoginSchema()

    def post(self, request):
        ratelimit.check_and_count(request._request)
        data = LoginSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = _check_password(request._request, data.validated_data["password"])
        if self.shape.honours_remember and data.validated_data["remember"]:
            lifetime = timedelta(days=settings.TOKEN_REMEMBER_DAYS)
        else:
            lifetime = timedelta(hours=settings.TOKEN_TTL_HOURS)
        token, clear = AuthToken.issue(user, lifetime, self.shape.kind, _client(request))
        return Response(self.shape.body(token, clear, lifetime))


class LogoutView(APIView):
    """Revoke the token used for this request (or end the browser session)."""

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(
                "LogoutOk", {"status": serializers.CharField(), "message": serializers.CharField()}
            )
        },
    )
    def post(self, request):
        credential = request.auth
        if credential is not None and credential.kind == TOKEN:
            credential.token.revoke()
        elif credential is not None and credential.kind == SESSION:
            django_logout(request._request)
        return Response({"status": "ok", "message": "Logged out successfully"})


class StatusView(APIView):
    @extend_schema(
        responses={
            200: inline_serializer(
                "AuthStatus",
                {
                    "configured": serializers.BooleanField(),
                    "authenticated": serializers.BooleanField(),
                },
            )
        }
    )
    def get(self, request):
        return Response(
            {"configured": passwords.is_configured(), "authenticated": request.auth is not None}
        )


def session_login(request, user) -> None:
    """Start a Django browser session for `user` (used by the login page)."""
    django_login(request, user, backend="django.contrib.auth.backends.ModelBackend")

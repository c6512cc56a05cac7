"""Which URL groups accept which credentials: the one place that decides (ARCHITECTURE §6).

| group    | paths                                   | accepts                        |
|----------|-----------------------------------------|--------------------------------|
| public   | /api/v1/info, /health*, /api/auth/*,    | anyone                         |
|          | /api/web/auth/* (login, logout)         |                                |
|          | /api/schema, /api/docs, /api/redoc      |                                |
| webhook  | /api/v1/webhooks/*                      | API key (also as Basic password)|
| legacy   | /api/v1/*, /admin/*                     | API key                        |
| web      | /api/web/*                              | session cookie, session token  |
| service  | every other /api/* and /ws/*            | cookie, token, API key         |

A valid credential of a kind the group does not accept is refused with 403; no credential at
all is 401. The HTML pages (/web/*) use the Django session and redirect to the login page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from rest_framework import exceptions
from rest_framework.permissions import BasePermission

from nomarr_site.auth.credentials import API_KEY, SESSION, TOKEN

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

    from nomarr_site.auth.credentials import Credential


@dataclass(frozen=True)
class Group:
    name: str
    accepts: frozenset[str]
    basic_allowed: bool = False

    @property
    def public(self) -> bool:
        return self.name == "public"


PUBLIC = Group("public", frozenset({SESSION, TOKEN, API_KEY}))
WEBHOOK = Group("webhook", frozenset({API_KEY}), basic_allowed=True)
LEGACY = Group("legacy", frozenset({API_KEY}))
WEB = Group("web", frozenset({SESSION, TOKEN}))
SERVICE = Group("service", frozenset({SESSION, TOKEN, API_KEY}))

PUBLIC_EXACT = {"/api/v1/info", "/health", "/api/schema", "/api/docs", "/api/redoc"}
PUBLIC_PREFIXES = (
    "/health/",
    "/api/auth/",
    "/api/web/auth/",
    "/api/schema/",
    "/api/docs/",
    "/api/redoc/",
)

DESCRIPTIONS = {
    SESSION: "a browser session",
    TOKEN: "a session token",
    API_KEY: "an API key",
}


def group_for(path: str) -> Group:
    path = path.rstrip("/") or "/"
    if path in PUBLIC_EXACT or path.startswith(PUBLIC_PREFIXES):
        return PUBLIC
    if path.startswith("/api/v1/webhooks/"):
        return WEBHOOK
    if path.startswith(("/api/v1/", "/admin/")) or path in ("/api/v1", "/admin"):
        return LEGACY
    if path.startswith("/api/web/") or path == "/api/web":
        return WEB
    return SERVICE


def refusal(group: Group, credential: Credential | None) -> str | None:
    """Why `credential` may not call an endpoint of `group`, or None if it may."""
    if group.public:
        return None
    if credential is None:
        return "Authentication required"
    if credential.kind not in group.accepts:
        wanted = " or ".join(DESCRIPTIONS[k] for k in sorted(group.accepts))
        return f"This endpoint does not accept {DESCRIPTIONS[credential.kind]}; use {wanted}"
    if credential.via == "basic" and not group.basic_allowed:
        return "Basic authentication is only accepted by the webhook endpoints"
    return None


class AllowedByPolicy(BasePermission):
    """DRF permission applying the table above to every API view."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        group = group_for(request.path)
        # NomarrAuthentication puts a Credential here; the stubs assume DRF's Token
        credential = cast("Credential | None", request.auth)
        reason = refusal(group, credential)
        if reason is None:
            return True
        if credential is None:
            raise exceptions.NotAuthenticated(reason)
        raise exceptions.PermissionDenied(reason)

"""OpenAPI description of Nomarr's credentials for drf-spectacular."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension

if TYPE_CHECKING:
    from drf_spectacular.openapi import AutoSchema


class NomarrAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "nomarr_site.auth.authentication.NomarrAuthentication"
    name = ["bearerAuth", "apiKeyHeader", "apiKeyQuery", "cookieAuth"]

    def get_security_definition(self, auto_schema: AutoSchema) -> list[dict[str, Any]]:
        return [
            {
                "type": "http",
                "scheme": "bearer",
                "description": "A session token from a login endpoint, or an API key.",
            },
            {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            {"type": "apiKey", "in": "query", "name": "apikey"},
            {"type": "apiKey", "in": "cookie", "name": "sessionid"},
        ]

"""OpenAPI description of Nomarr's credentials for drf-spectacular."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class NomarrAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "nomarr_site.auth.authentication.NomarrAuthentication"
    name = ["bearerAuth", "apiKeyHeader", "apiKeyQuery", "cookieAuth"]

    def get_security_definition(self, auto_schema):
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

"""The ASGI root path comes from configuration only (`NOMARR_URL_BASE`), never from a request.

daphne turns a `Daphne-Root-Path` request header into the scope's `root_path`, and Django and
Channels then route the path with that prefix removed: a client could make the server route one
path while the rest of the app sees another. This wrapper replaces whatever the server put
there with the configured base for HTTP and WebSocket scopes alike.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

Scope = dict[str, Any]


def configured_scope(scope: Scope, base: str) -> Scope:
    """`scope` with `root_path` set to `base`. ASGI's `path` includes the root path; a proxy
    that strips the prefix sends a path without it, which is then put back in front."""
    if scope.get("type") not in ("http", "websocket"):
        return scope
    path = scope.get("path", "")
    if base and path != base and not path.startswith(base + "/"):
        path = base + path
    return {**scope, "root_path": base, "path": path}


class ConfiguredRootPath:
    """ASGI middleware: every HTTP and WebSocket scope gets the configured root path."""

    def __init__(self, app: Any, base: str | None = None):
        self.app = app
        self.base = settings.URL_BASE if base is None else base

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> Any:
        return await self.app(configured_scope(scope, self.base), receive, send)

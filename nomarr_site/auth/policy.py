"""Which URL groups accept which credentials: the one place that decides (ARCHITECTURE §6).

| group      | routes                              | accepts                          | key scopes |
|------------|-------------------------------------|----------------------------------|------------|
| public     | /api/v1/info, /health*, /api/auth/* | anyone                           | any        |
|            | /api/web/auth/* (login, logout),    |                                  |            |
|            | /api/schema, /api/docs, /api/redoc, |                                  |            |
|            | the login/setup/logout pages        |                                  |            |
| webhook    | /api/v1/webhooks/*                  | API key (also as Basic password) | tag, full  |
| legacy     | /api/v1/*                           | API key                          | tag, full  |
| admin      | /admin/*                            | API key                          | full       |
| web        | /api/web/*                          | session cookie, session token    | -          |
| service    | every other /api/* and /ws/*        | cookie, token, API key           | full       |
| import     | /api/import/file (AltMount's)       | API key                          | full       |
| page       | the HTML pages (/web/*)             | session cookie, else the login   | -          |
| backoffice | /backoffice/ (Django admin)         | the admin's own staff login      | -          |

The paths only describe the table: each urls.py declares the group of its routes with
`routes(GROUP, [...])`, and the checks read the group from the route that was resolved
(`request.resolver_match`, or the WebSocket scope), never from a path string, which a client
can shape (a root-path header, `//`, encoded slashes). A route that declares no group is
refused. A valid credential of a kind the group does not accept, or an API key of a scope it
does not accept, is refused with 403; no credential at all is 401.

A group also chooses the shape of its error answers (`error_format`): Nomarr's own, or
AltMount's `{"error": {"message", "details"}}` for the import group, so every error of those
routes (the 401 of this layer included) keeps the shape its clients parse.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.core.exceptions import ImproperlyConfigured
from django.urls import Resolver404, URLPattern, URLResolver, resolve
from rest_framework import exceptions
from rest_framework.permissions import BasePermission

from nomarr_site.auth.credentials import API_KEY, SESSION, TOKEN
from nomarr_site.errors import ALTMOUNT_ERRORS, NOMARR_ERRORS, POLICY_ATTRIBUTE
from nomarr_site.models import ApiKey

if TYPE_CHECKING:
    from django.http import HttpRequest
    from rest_framework.request import Request
    from rest_framework.views import APIView

    from nomarr_site.auth.credentials import Credential

# The attribute a route's view carries (errors.py reads the group's error shape from it too,
# without importing this module), and the scope key a WebSocket route sets.
ATTRIBUTE = POLICY_ATTRIBUTE
SCOPE_KEY = "nomarr_policy_group"
NO_POLICY = "No access policy is declared for this route"


@dataclass(frozen=True)
class Group:
    name: str
    accepts: frozenset[str]
    basic_allowed: bool = False
    # page: the Django session or a redirect to the login page; own_login: the view has its
    # own login (the Django admin) and the policy adds nothing.
    page: bool = False
    own_login: bool = False
    # The API key scopes it accepts: only `full` unless a group says otherwise.
    key_scopes: frozenset[str] = frozenset({ApiKey.Scope.FULL})
    # The shape of every error answer of the group's routes.
    error_format: str = NOMARR_ERRORS

    @property
    def public(self) -> bool:
        return self.name == "public"

    @property
    def api(self) -> bool:
        """An API group: a view of it must check the credential against this group."""
        return not (self.public or self.page or self.own_login)


ANY_SCOPE = frozenset(ApiKey.Scope.values)

PUBLIC = Group("public", frozenset({SESSION, TOKEN, API_KEY}), key_scopes=ANY_SCOPE)
WEBHOOK = Group("webhook", frozenset({API_KEY}), basic_allowed=True, key_scopes=ANY_SCOPE)
LEGACY = Group("legacy", frozenset({API_KEY}), key_scopes=ANY_SCOPE)
ADMIN = Group("admin", frozenset({API_KEY}))
WEB = Group("web", frozenset({SESSION, TOKEN}))
SERVICE = Group("service", frozenset({SESSION, TOKEN, API_KEY}))
PAGE = Group("page", frozenset({SESSION}), page=True)
# AltMount's import endpoint: API keys only, as AltMount's reference says, in AltMount's errors.
IMPORT = Group("import", frozenset({API_KEY}), error_format=ALTMOUNT_ERRORS)
BACKOFFICE = Group("backoffice", frozenset({SESSION}), own_login=True)

DESCRIPTIONS = {
    SESSION: "a browser session",
    TOKEN: "a session token",
    API_KEY: "an API key",
}

Patterns = TypeVar("Patterns", bound=Sequence[URLPattern | URLResolver])


def routes(group: Group, patterns: Patterns) -> Patterns:
    """Declare `group` as the policy of every route in `patterns` (included ones too)."""
    for entry in patterns:
        _declare(entry, group)
    return patterns


def _declare(entry: URLPattern | URLResolver, group: Group) -> None:
    if isinstance(entry, URLResolver):
        for inner in entry.url_patterns:
            _declare(inner, group)
        return
    declared = getattr(entry.callback, ATTRIBUTE, None)
    if declared is not None and declared != group:
        # One view object under two groups would make its policy depend on import order.
        raise ImproperlyConfigured(
            f"Route '{entry.pattern}' is declared both '{declared.name}' and '{group.name}'"
        )
    if hasattr(entry.callback, "consumer_class"):  # a Channels consumer: tell it via its scope
        entry.callback = _in_scope(entry.callback, group)
    elif inspect.ismethod(entry.callback):  # a bound method (the admin's) takes no attributes
        entry.callback = _as_function(entry.callback)
    setattr(entry.callback, ATTRIBUTE, group)


def _as_function(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def view(*args: Any, **kwargs: Any) -> Any:
        return method(*args, **kwargs)

    return view


def _in_scope(app: Callable[..., Any], group: Group) -> Callable[..., Any]:
    async def declared_app(scope: dict[str, Any], receive: Any, send: Any) -> Any:
        return await app({**scope, SCOPE_KEY: group}, receive, send)

    return declared_app


def group_of_view(view: Callable[..., Any] | None) -> Group | None:
    """The group the route of `view` declares, or None."""
    return cast("Group | None", getattr(view, ATTRIBUTE, None))


def group_of_request(request: HttpRequest) -> Group | None:
    """The group declared by the route Django resolved for `request`, or None."""
    match = getattr(request, "resolver_match", None)
    return group_of_view(match.func) if match is not None else None


def group_of_scope(scope: Mapping[str, Any]) -> Group | None:
    """The group declared by the WebSocket route that accepted `scope`, or None."""
    return cast("Group | None", scope.get(SCOPE_KEY))


def group_for(path_info: str) -> Group | None:
    """The group of the route `path_info` resolves to (for tests and tools), or None."""
    try:
        return group_of_view(resolve(path_info).func)
    except Resolver404:
        return None


def refusal(group: Group | None, credential: Credential | None) -> str | None:
    """Why `credential` may not call an endpoint of `group`, or None if it may."""
    if group is None:
        return NO_POLICY
    if group.public:
        return None
    if credential is None:
        return "Authentication required"
    if credential.kind not in group.accepts:
        wanted = " or ".join(DESCRIPTIONS[k] for k in sorted(group.accepts))
        return f"This endpoint does not accept {DESCRIPTIONS[credential.kind]}; use {wanted}"
    if credential.via == "basic" and not group.basic_allowed:
        return "Basic authentication is only accepted by the webhook endpoints"
    key = credential.api_key
    if key is not None and key.scope not in group.key_scopes:
        wanted = " or ".join(f"'{scope}'" for scope in sorted(group.key_scopes))
        return (
            f"This endpoint needs an API key with the {wanted} scope; "
            f"this key has the '{key.scope}' scope"
        )
    return None


class AllowedByPolicy(BasePermission):
    """DRF permission applying the table above to every API view, by its resolved route."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        group = group_of_request(request._request)
        # NomarrAuthentication puts a Credential here; the stubs assume DRF's Token
        credential = cast("Credential | None", request.auth)
        reason = refusal(group, credential)
        if reason is None:
            return True
        if credential is None and group is not None:
            raise exceptions.NotAuthenticated(reason)
        raise exceptions.PermissionDenied(reason)

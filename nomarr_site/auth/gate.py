"""The policy at the door of every Django view: the resolved route must declare a group
(deny by default), pages need a browser session, and an API route's view must be one that
checks its credential against the group (DRF with `AllowedByPolicy`, or a view marked
`checks_policy`, like the SSE stream), so no route is ever served unchecked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase

from nomarr_site.auth.policy import NO_POLICY, AllowedByPolicy, group_of_view
from nomarr_site.errors import api_error_response, error_format_of_view

View = TypeVar("View", bound=Callable[..., Any])


def checks_policy(view: View) -> View:
    """Mark a plain (non-DRF) view that applies `policy.refusal` to its caller itself."""
    view.nomarr_checks_policy = True  # type: ignore[attr-defined]
    return view


def _enforces_policy(view: Callable[..., Any]) -> bool:
    drf_class = getattr(view, "cls", None)  # set by DRF's APIView.as_view()
    if drf_class is not None:
        return any(issubclass(p, AllowedByPolicy) for p in drf_class.permission_classes)
    return bool(getattr(view, "nomarr_checks_policy", False))


class PolicyGateMiddleware:
    """Refuses a route without a declared policy (403) before its view runs."""

    def __init__(self, get_response: Callable[[HttpRequest], Any]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponseBase | None:
        group = group_of_view(view)
        if group is None:
            return api_error_response(403, NO_POLICY)
        if group.page and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if group.api and not _enforces_policy(view):
            return api_error_response(
                403,
                "This route's view does not enforce its access policy",
                error_format=error_format_of_view(view),
            )
        return None

"""Django-level error handlers: JSON in the one error format under /api/ and /admin/, the
usual HTML pages elsewhere. Django answers with them before a DRF view runs: a malformed Host
header (400), `PermissionDenied` from a plain view (403), a failed CSRF check on a plain view
such as the SSE stream (403), an unknown route (404) and an unhandled error (500)."""

from __future__ import annotations

import logging
import posixpath

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.views.csrf import csrf_failure as html_csrf_failure
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import bad_request as html_bad_request
from django.views.defaults import page_not_found
from django.views.defaults import permission_denied as html_permission_denied
from django.views.defaults import server_error as html_server_error

from nomarr_site.errors import api_error_response, error_format_of, error_format_of_view

logger = logging.getLogger(__name__)


def _is_api(path: str) -> bool:
    """Whether `path` names the API, so that its error answers in the API's format. Read as
    the client meant it: `//api/x` or `/./api/x` reach no route (Django matches the raw path),
    yet a script that joined its base URL badly asked the API, not a page. Callers pass the
    path without the URL base (`path_info`): under NOMARR_URL_BASE the API is /<base>/api/."""
    path = posixpath.normpath("/" + path.lstrip("/"))  # normpath keeps a leading "//"
    return path.startswith(("/api/", "/admin/")) or path in ("/api", "/admin")


@csrf_exempt
def api_not_found(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return api_error_response(404, f"No API endpoint at {request.path}")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request.path_info):
        return api_not_found(request)
    return page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request.path_info):
        return api_error_response(
            500,
            "Internal server error. The request id is logged with the details.",
            error_format=error_format_of(request),
        )
    return html_server_error(request)


def _error_format(request: HttpRequest) -> str:
    """The error shape of the request's route, also when Django refused the request before it
    resolved the route (a malformed Host header): AltMount's clients get AltMount's shape."""
    if getattr(request, "resolver_match", None) is not None:
        return error_format_of(request)
    try:
        return error_format_of_view(resolve(request.path_info).func)
    except Resolver404:
        return error_format_of(request)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not _is_api(request.path_info):
        return html_bad_request(request, exception)
    # The exception's text repeats the client's header; the answer names the problem only.
    if isinstance(exception, DisallowedHost):
        message = "The Host header is not a valid host name"
    else:
        message = "Bad request"
    return api_error_response(400, message, error_format=_error_format(request))


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not _is_api(request.path_info):
        return html_permission_denied(request, exception)
    return api_error_response(403, "Permission denied", error_format=error_format_of(request))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """`CSRF_FAILURE_VIEW`: the words DRF uses for a session without a valid CSRF token."""
    if not _is_api(request.path_info):
        return html_csrf_failure(request, reason)
    return api_error_response(
        403, f"CSRF check failed: {reason}", error_format=error_format_of(request)
    )

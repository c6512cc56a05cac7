"""Django-level error handlers: JSON in the one error format under /api/ and /admin/, the
usual HTML pages elsewhere."""

from __future__ import annotations

import logging

from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import page_not_found
from django.views.defaults import server_error as html_server_error

from nomarr_site.errors import api_error_response, error_format_of

logger = logging.getLogger(__name__)


def _is_api(path: str) -> bool:
    return path.startswith(("/api/", "/admin/")) or path in ("/api", "/admin")


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    return api_error_response(404, f"No API endpoint at {request.path}")


def not_found(request, exception=None):
    if _is_api(request.path):
        return api_not_found(request)
    return page_not_found(request, exception)


def server_error(request):
    if _is_api(request.path):
        return api_error_response(
            500,
            "Internal server error. The request id is logged with the details.",
            error_format=error_format_of(request),
        )
    return html_server_error(request)

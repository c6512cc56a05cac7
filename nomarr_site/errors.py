"""The one error format of every API answer that is not a success.

    {"success": false, "error": "<CODE>", "message": "...", "detail": "...",
     "details": {...}, "request_id": "..."}

Services raise `nomarr_site.domain` errors, which know nothing of HTTP; `exception_handler`
maps each meaning to its status code here, once (`STATUS_BY_MEANING`). Views raise DRF
exceptions or the `ApiError` subclasses below for what only the request knows (a bad query
parameter). `api_error_response` serves plain Django views (404/500 handlers). A 500 never shows
a traceback: the traceback is logged with the request id that the body carries.

A route's policy group may choose another shape for all of its errors (`error_format`, read from
the resolved route): AltMount's import endpoint answers `{"error": {"message", "details"}}`,
where `details` is a text with the context (`error_body_for` renders either).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

from nomarr_site import domain
from nomarr_site.middleware import current_request_id

logger = logging.getLogger(__name__)

# The error shapes a policy group may choose (`policy.Group.error_format`), and the attribute
# of a route's view that holds its group (`policy.ATTRIBUTE`): read here by name, because this
# module is imported before Django's apps are ready (the web process's body limit).
NOMARR_ERRORS = "nomarr"
ALTMOUNT_ERRORS = "altmount"
POLICY_ATTRIBUTE = "nomarr_policy_group"
ALTMOUNT_SERVER_ERROR = "Server error during processing"

CODES_BY_STATUS = {
    400: "VALIDATION_ERROR",
    401: "AUTHENTICATION_ERROR",
    403: "AUTHORIZATION_ERROR",
    404: "NOT_FOUND_ERROR",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    409: "CONFLICT_ERROR",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "VALIDATION_ERROR",
    429: "RATE_LIMIT_ERROR",
    503: "SERVICE_UNAVAILABLE",
}


# The most specific meaning first: a class may carry two (`OutsideRoots` is a refused path that
# is Forbidden), and the first match decides.
STATUS_BY_MEANING: tuple[tuple[type[domain.DomainError], int], ...] = (
    (domain.Forbidden, 403),
    (domain.NotFound, 404),
    (domain.Conflict, 409),
    (domain.Unprocessable, 422),
    (domain.Unavailable, 503),
    (domain.Invalid, 400),
)


class ApiError(exceptions.APIException):
    """An error with an explicit code; `details` carries structured context."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "VALIDATION_ERROR"
    default_detail = "Invalid request."

    def __init__(self, message: str | None = None, details: dict[str, Any] | None = None):
        super().__init__(message or self.default_detail)
        self.details = details or {}


class ValidationFailed(ApiError):
    status_code = 400
    default_code = "VALIDATION_ERROR"


class Unprocessable(ApiError):
    status_code = 422
    default_code = "VALIDATION_ERROR"
    default_detail = "The request is well-formed but cannot be processed."


class NotFoundError(ApiError):
    status_code = 404
    default_code = "NOT_FOUND_ERROR"
    default_detail = "Not found."


class ConflictError(ApiError):
    status_code = 409
    default_code = "CONFLICT_ERROR"
    default_detail = "The request conflicts with the current state."


class ForbiddenError(ApiError):
    status_code = 403
    default_code = "AUTHORIZATION_ERROR"
    default_detail = "You do not have permission to do this."


class RateLimited(ApiError):
    status_code = 429
    default_code = "RATE_LIMIT_ERROR"
    default_detail = "Too many requests, try again later."

    def __init__(self, message: str | None = None, retry_after: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class PayloadTooLarge(ApiError):
    status_code = 413
    default_code = "PAYLOAD_TOO_LARGE"
    default_detail = "The request body is too large."


class ServiceUnavailable(ApiError):
    status_code = 503
    default_code = "SERVICE_UNAVAILABLE"
    default_detail = "The service is temporarily unavailable."


def error_body(
    status_code: int, message: str, code: str | None = None, details: dict | None = None
) -> dict[str, Any]:
    return {
        "success": False,
        "error": code or CODES_BY_STATUS.get(status_code, "SERVER_ERROR"),
        "message": message,
        "detail": message,
        "details": details or {},
        "request_id": current_request_id(),
    }


def error_format_of_view(view: Any) -> str:
    """The error shape the policy group of a route's view chose; Nomarr's when it has none."""
    group = getattr(view, POLICY_ATTRIBUTE, None)
    return str(getattr(group, "error_format", NOMARR_ERRORS))


def error_format_of(request: Any) -> str:
    """The error shape of the route Django resolved for `request` (a Django or DRF request)."""
    match = getattr(request, "resolver_match", None)
    return error_format_of_view(getattr(match, "func", None))


def _context_text(message: str, code: str, details: dict[str, Any]) -> str:
    """AltMount's `details` is one text: the structured context as `name: value` parts (a
    field's message only when it adds to `message`), else the error's code; then the request
    id, which the log shows beside the details."""
    parts = []
    for name, value in details.items():
        if name == "fields" and isinstance(value, dict):
            for field, errors in value.items():
                lines = [line for line in flatten(errors) if line != message]
                parts += [f"{field}: {'; '.join(lines)}"] if lines else []
        else:
            parts.append(f"{name}: {value}")
    if not parts:
        parts.append(code)
    return "; ".join(parts) + f" (request {current_request_id() or '-'})"


def altmount_body(
    status_code: int, message: str, code: str | None = None, details: dict | None = None
) -> dict[str, Any]:
    """AltMount's error shape, `{"error": {"message", "details"}}`."""
    code = code or CODES_BY_STATUS.get(status_code, "SERVER_ERROR")
    if status_code == 500:
        message = ALTMOUNT_SERVER_ERROR
    return {"error": {"message": message, "details": _context_text(message, code, details or {})}}


def error_body_for(
    error_format: str,
    status_code: int,
    message: str,
    code: str | None = None,
    details: dict | None = None,
) -> dict[str, Any]:
    """The error body in the shape `error_format` names."""
    if error_format == ALTMOUNT_ERRORS:
        return altmount_body(status_code, message, code, details)
    return error_body(status_code, message, code, details)


def api_error_response(
    status_code: int,
    message: str,
    code: str | None = None,
    details: dict | None = None,
    *,
    error_format: str = NOMARR_ERRORS,
) -> JsonResponse:
    """The error format for plain Django views (pages' JSON endpoints, 404/500 handlers)."""
    body = error_body_for(error_format, status_code, message, code, details)
    return JsonResponse(body, status=status_code)


def flatten(errors: Any, prefix: str = "") -> list[str]:
    """Turn DRF's nested error structure into readable 'field: message' lines."""
    if isinstance(errors, dict):
        lines: list[str] = []
        for key, value in errors.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "non_field_errors":
                name = prefix
            lines.extend(flatten(value, name))
        return lines
    if isinstance(errors, list):
        lines = []
        for item in errors:
            lines.extend(flatten(item, prefix))
        return lines
    return [f"{prefix}: {errors}" if prefix else str(errors)]


def domain_status(exc: domain.DomainError) -> int:
    """The status code the API answers a domain error with (400 for a bare `DomainError`)."""
    for meaning, status_code in STATUS_BY_MEANING:
        if isinstance(exc, meaning):
            return status_code
    return 400


def domain_error(exc: domain.DomainError) -> ApiError:
    """The API error for a domain error: its status, its message, its details; a named
    `field` lists the message under `details.fields` as a serializer's error would."""
    details = dict(exc.details)
    if exc.field:
        details["fields"] = {exc.field: [exc.message]}
    error = ApiError(exc.message, details=details)
    error.status_code = domain_status(exc)
    error.default_code = CODES_BY_STATUS[error.status_code]
    return error


def exception_handler(exc: Exception, context: dict) -> Response:
    """DRF's EXCEPTION_HANDLER: every exception raised by an API view ends here."""
    if isinstance(exc, domain.DomainError):
        exc = domain_error(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)

    if isinstance(exc, exceptions.APIException):
        status_code = exc.status_code
        details: dict[str, Any] = {}
        code: str | None = None
        if isinstance(exc, ApiError):
            message = str(exc.detail)
            details = exc.details
            code = exc.default_code
        elif isinstance(exc, exceptions.ValidationError):
            lines = flatten(exc.detail)
            message = "Invalid input: " + "; ".join(lines) if lines else "Invalid input."
            details = {"fields": exc.detail} if isinstance(exc.detail, dict) else {}
            details = {"errors": exc.detail} if not details else details
        elif isinstance(exc, exceptions.Throttled):
            message = "Too many requests, try again later."
        else:
            message = str(exc.detail)
        shape = error_format_of(context.get("request"))
        body = error_body_for(shape, status_code, message, code, details)
        response = Response(body, status=status_code)
        if getattr(exc, "auth_header", None):
            response["WWW-Authenticate"] = exc.auth_header
        wait = getattr(exc, "retry_after", None) or getattr(exc, "wait", None)
        if wait:
            response["Retry-After"] = str(int(wait))
        return response

    request = context.get("request")
    logger.error(
        "Unhandled error in %s %s",
        getattr(request, "method", "?"),
        getattr(request, "path", "?"),
        exc_info=exc,
    )
    message = "Internal server error. The request id is logged with the details."
    return Response(error_body_for(error_format_of(request), 500, message), status=500)

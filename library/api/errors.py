"""Maps the library's domain refusals to the API's error format."""

from __future__ import annotations

from library.paths import PathRefused
from nomarr_site.errors import ApiError, ConflictError, ForbiddenError, ValidationFailed

BY_STATUS = {400: ValidationFailed, 403: ForbiddenError, 409: ConflictError}


def path_error(exc: PathRefused, field: str | None = None) -> ApiError:
    """400 malformed or missing, 403 outside the roots, 409 a root that clashes."""
    details: dict = {"path": exc.path} if exc.path else {}
    if field:
        details["fields"] = {field: [exc.message]}
    return BY_STATUS.get(exc.status_code, ValidationFailed)(exc.message, details=details)

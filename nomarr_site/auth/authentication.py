"""DRF authentication class: identifies the caller through `credentials.resolve`.

Session-cookie callers get Django's CSRF check on unsafe methods, as DRF's own
SessionAuthentication does; bearer tokens and API keys are not cookies and need none.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, CSRFCheck
from rest_framework.request import Request

from nomarr_site.auth.credentials import SESSION, Credential, InvalidCredential, resolve
from nomarr_site.auth.policy import group_of_request


def _dummy_get_response(request: HttpRequest) -> HttpResponse:  # pragma: no cover
    # CSRFCheck needs a get_response callable; only its process_* methods are used
    return HttpResponse()


class NomarrAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, Credential] | None:
        django_request = request._request
        headers = {k.lower(): v for k, v in django_request.headers.items()}
        session_user = getattr(django_request, "user", None)
        try:
            credential = resolve(headers, django_request.GET, session_user)
        except InvalidCredential as exc:
            group = group_of_request(django_request)
            if group is not None and group.public:
                return None  # a stale header must not break login or health checks
            raise exceptions.AuthenticationFailed(str(exc)) from None
        if credential is None:
            return None
        if credential.kind == SESSION:
            self._enforce_csrf(django_request)
        return credential.user, credential

    def _enforce_csrf(self, request: HttpRequest) -> None:
        check = CSRFCheck(_dummy_get_response)
        check.process_request(request)
        # No view to exempt, so no callback, as DRF's SessionAuthentication does; the stub
        # wants a view, Django only reads its `csrf_exempt` attribute.
        reason = check.process_view(request, None, (), {})  # type: ignore[arg-type]
        if reason:
            raise exceptions.PermissionDenied(f"CSRF check failed: {reason}")

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="nomarr"'

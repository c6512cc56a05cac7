"""The Django admin site at /backoffice/, with its login behind the limiter every login shares."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

from nomarr_site.auth import ratelimit
from nomarr_site.errors import RateLimited


class ThrottledLoginForm(AdminAuthenticationForm):
    """The admin login form, counting each attempt and each failure like the API logins do."""

    retry_after: int | None = None

    def clean(self) -> dict[str, Any]:
        request = self.request
        if request is None:  # the admin's LoginView always passes the request
            raise ValidationError("Cannot log in without a request.")
        try:
            ratelimit.check_and_count(request)
        except RateLimited as exc:
            # Refused before the password is even checked: a locked-out client learns nothing.
            self.retry_after = exc.retry_after
            raise ValidationError(
                ratelimit.retry_message(exc.retry_after), code="rate_limited"
            ) from None
        try:
            cleaned = super().clean()
        except ValidationError:
            ratelimit.record_failure(request)
            raise
        if self.get_user() is not None:
            ratelimit.record_success(request)
        return cleaned


class NomarrAdminSite(admin.AdminSite):
    login_form = ThrottledLoginForm

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        response: HttpResponse = super().login(request, extra_context)
        form = (getattr(response, "context_data", None) or {}).get("form")
        retry_after = getattr(form, "retry_after", None)
        if retry_after:
            response.status_code = 429
            response["Retry-After"] = str(int(retry_after))
        return response

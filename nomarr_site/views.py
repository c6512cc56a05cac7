"""Platform pages: login, first-run setup, logout, dashboard, settings and the favicon."""

from __future__ import annotations

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods

from library.tagging import engine_settings
from library.tagging.model_sets import MODEL_SETS
from nomarr_site.api.auth import session_login
from nomarr_site.auth import passwords, ratelimit
from nomarr_site.errors import RateLimited
from nomarr_site.first_steps import first_steps


def _safe_next(request, fallback: str = "/web/dashboard") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return fallback


def _with_retry_after(response: HttpResponse, retry_after: int | None) -> HttpResponse:
    """A throttled page carries Retry-After like the JSON logins do."""
    if retry_after:
        response["Retry-After"] = str(int(retry_after))
    return response


def root(request):
    return redirect("/web/dashboard")


@require_http_methods(["GET", "POST"])
def login_page(request):
    if not passwords.is_configured():
        return redirect("/web/setup")
    if request.user.is_authenticated:
        return redirect(_safe_next(request))
    error = None
    status = 200
    retry_after = None
    if request.method == "POST":
        try:
            ratelimit.check_and_count(request)
            user = passwords.verify(request.POST.get("password", ""))
            if user is None:
                ratelimit.record_failure(request)
                error, status = "Wrong password.", 401
            else:
                ratelimit.record_success(request)
                session_login(request, user)
                return redirect(_safe_next(request))
        except RateLimited as exc:
            retry_after = exc.retry_after
            error, status = ratelimit.retry_message(retry_after), 429
    response = render(
        request,
        "nomarr_site/login.html",
        {"error": error, "next": _safe_next(request, "")},
        status=status,
    )
    return _with_retry_after(response, retry_after)


@require_http_methods(["GET", "POST"])
def setup_page(request):
    if passwords.is_configured():
        return redirect("/web/login")
    error = None
    status = 200
    retry_after = None
    if request.method == "POST":
        password = request.POST.get("password", "")
        try:
            ratelimit.check_and_count(request)
            if password != request.POST.get("confirm", ""):
                raise passwords.WeakPassword("The two passwords differ.")
            passwords.set_password(password, allow_replace=False)
        except RateLimited as exc:
            retry_after = exc.retry_after
            error, status = ratelimit.retry_message(retry_after), 429
        except passwords.WeakPassword as exc:
            error, status = str(exc), 400
        except passwords.AlreadyConfigured:
            return redirect("/web/login")
        else:
            session_login(request, passwords.admin())
            return redirect("/web/dashboard")
    response = render(
        request,
        "nomarr_site/setup.html",
        {"error": error, "rules": passwords.MIN_LENGTH},
        status=status,
    )
    return _with_retry_after(response, retry_after)


def logout_page(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    logout(request)
    return redirect("/web/login")


@login_required
def dashboard(request):
    steps = first_steps()
    context = {
        "active": "dashboard",
        "steps": steps,
        "steps_done": sum(step.done for step in steps),
        "model_sets": list(MODEL_SETS),
    }
    return render(request, "nomarr_site/dashboard.html", context)


@login_required
def settings_page(request):
    inference = engine_settings.describe(engine_settings.status())
    return render(
        request, "nomarr_site/settings.html", {"active": "settings", "inference": inference}
    )


@require_GET
@cache_control(public=True, max_age=7 * 24 * 3600)
def favicon(request):
    """Browsers ask for /favicon.ico at the root whatever the page links; serve it from static/."""
    found = finders.find("favicon.ico")
    if not found:
        raise Http404("No favicon")
    return FileResponse(open(found, "rb"), content_type="image/x-icon")  # noqa: SIM115

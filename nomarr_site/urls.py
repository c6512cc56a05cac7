"""The URL map. Each app contributes its own `urls.py`; unknown /api/ paths answer JSON 404.
Every route is declared in a policy group (nomarr_site/auth/policy.py); one without is refused."""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

import nomarr_site.converters  # noqa: F401 - registers <id:…>
from nomarr_site import views
from nomarr_site.api import auth, keys, system
from nomarr_site.api import config as config_api
from nomarr_site.auth import policy
from nomarr_site.auth.policy import BACKOFFICE, PAGE, PUBLIC, SERVICE, WEB
from nomarr_site.handlers import api_not_found

urlpatterns = [
    *policy.routes(
        PUBLIC,
        [
            path("", views.root),
            path("web/login", views.login_page, name="login"),
            path("web/setup", views.setup_page, name="setup"),
            path("web/logout", views.logout_page, name="logout"),
            path("api/auth/setup", auth.SetupView.as_view()),
            path("api/auth/login", auth.LoginView.as_view(shape=auth.ACCESS_TOKEN)),
            path("api/auth/logout", auth.LogoutView.as_view()),
            path("api/auth/status", auth.StatusView.as_view()),
            path("api/web/auth/login", auth.LoginView.as_view(shape=auth.SESSION_TOKEN)),
            path("api/web/auth/logout", auth.LogoutView.as_view()),
            path("favicon.ico", views.favicon),
            path("health", system.HealthView.as_view()),
            path("health/detailed", system.HealthDetailedView.as_view()),
            path("api/v1/info", system.InfoView.as_view()),
            path("api/schema", SpectacularAPIView.as_view(), name="schema"),
            path("api/docs", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
            path("api/redoc", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
        ],
    ),
    *policy.routes(
        PAGE,
        [
            path("web/dashboard", views.dashboard, name="dashboard"),
            path("web/settings", views.settings_page, name="settings"),
        ],
    ),
    *policy.routes(WEB, [path("api/web/config", config_api.WebConfigView.as_view())]),
    *policy.routes(
        SERVICE,
        [
            path("api/api-keys", keys.ApiKeyListView.as_view()),
            path("api/api-keys/<id:key_id>", keys.ApiKeyDetailView.as_view()),
        ],
    ),
    *policy.routes(BACKOFFICE, [path("backoffice/", admin.site.urls)]),
    # Each app's urls.py declares the policy of its own routes.
    path("", include("nomarr_site.api.config_urls")),
    path("", include("nomarr_site.events.urls")),
    path("", include("jobs.urls")),
    path("", include("library.urls")),
    path("", include("calibration.urls")),
    path("", include("invitations.urls")),
    path("", include("media_meta.urls")),
    # Unknown API paths answer 404 in the error format, to anyone.
    *policy.routes(PUBLIC, [re_path(r"^(?:api|admin)(?:/.*)?$", api_not_found)]),
]

handler400 = "nomarr_site.handlers.bad_request"
handler403 = "nomarr_site.handlers.permission_denied"
handler404 = "nomarr_site.handlers.not_found"
handler500 = "nomarr_site.handlers.server_error"

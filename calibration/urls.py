"""URLs of `calibration`: its pages here, its API in `calibration.api.urls`."""

from django.urls import include, path

from calibration import views
from nomarr_site.auth import policy

urlpatterns = [
    *policy.routes(
        policy.PAGE,
        [
            path("web/calibration", views.calibration_page, name="calibration"),
            path("web/analytics", views.analytics_page, name="analytics"),
            path("web/navidrome", views.navidrome_page, name="navidrome"),
        ],
    ),
    path("", include("calibration.api.urls")),
]

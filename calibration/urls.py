"""URLs of `calibration`."""

from django.urls import path

from calibration import views
from nomarr_site.auth import policy

urlpatterns = policy.routes(
    policy.PAGE,
    [
        path("web/calibration", views.calibration_page, name="calibration"),
        path("web/analytics", views.analytics_page, name="analytics"),
        path("web/navidrome", views.navidrome_page, name="navidrome"),
    ],
)

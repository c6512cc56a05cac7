"""URLs of the calibration API."""

from django.urls import path

from calibration.api import views
from nomarr_site.auth import policy

urlpatterns = [
    *policy.routes(
        policy.WEB,
        [
            path("api/web/calibration/status", views.StatusView.as_view()),
            path("api/web/calibration/generate", views.GenerateView.as_view()),
            path("api/web/calibration/apply", views.ApplyView.as_view()),
            path("api/web/calibration/clear", views.ClearView.as_view()),
            path("api/web/calibration/history", views.HistoryView.as_view()),
        ],
    ),
]

"""URLs of the calibration API."""

from django.urls import path

from calibration.api import analytics, navidrome, views
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
            path("api/web/analytics/tag-frequencies", analytics.TagFrequenciesView.as_view()),
            path("api/web/analytics/mood-distribution", analytics.MoodDistributionView.as_view()),
            path("api/web/analytics/tag-correlations", analytics.TagCorrelationsView.as_view()),
            path("api/web/navidrome/preview", navidrome.TagPreviewView.as_view()),
            path("api/web/navidrome/config", navidrome.ConfigView.as_view()),
            path("api/web/navidrome/playlists/preview", navidrome.PlaylistPreviewView.as_view()),
            path("api/web/navidrome/playlists/generate", navidrome.PlaylistGenerateView.as_view()),
        ],
    ),
]

"""URLs of `library`: pages, the web library/track API and the legacy scan endpoint."""

from django.urls import path

from library import views
from library.api import browse, legacy, libraries, tracks

urlpatterns = [
    path("web/libraries", views.libraries_page, name="libraries"),
    path("web/process", views.processing_page, name="processing"),
    path("web/tracks/<int:track_id>", views.track_page, name="track"),
    path("web/series", views.series_page, name="series"),
    path("web/downloads", views.downloads_page, name="downloads"),
    path("api/web/libraries", libraries.LibraryListView.as_view()),
    path("api/web/libraries/stats", libraries.LibraryStatsView.as_view()),
    path("api/web/libraries/<int:library_id>", libraries.LibraryDetailView.as_view()),
    path("api/web/libraries/<int:library_id>/scan", libraries.LibraryScanView.as_view()),
    path("api/web/libraries/<int:library_id>/tracks", tracks.LibraryTracksView.as_view()),
    path("api/web/libraries/<int:library_id>/browse", browse.LibraryBrowseView.as_view()),
    path("api/web/tracks/<int:track_id>", tracks.TrackDetailView.as_view()),
    path("api/v1/scan", legacy.LegacyScanView.as_view()),
]

"""URLs of `library`: pages, the web library/track API, the legacy scan endpoint and the
series library (`library/series/urls.py`)."""

from django.urls import include, path

import nomarr_site.converters  # noqa: F401 - registers <id:…>
from library import views
from library.api import browse, legacy, libraries, tracks
from nomarr_site.auth import policy

urlpatterns = [
    *policy.routes(
        policy.PAGE,
        [
            path("web/libraries", views.libraries_page, name="libraries"),
            path("web/process", views.processing_page, name="processing"),
            path("web/tracks/<id:track_id>", views.track_page, name="track"),
        ],
    ),
    *policy.routes(
        policy.WEB,
        [
            path("api/web/libraries", libraries.LibraryListView.as_view()),
            path("api/web/libraries/stats", libraries.LibraryStatsView.as_view()),
            path("api/web/libraries/<id:library_id>", libraries.LibraryDetailView.as_view()),
            path("api/web/libraries/<id:library_id>/scan", libraries.LibraryScanView.as_view()),
            path("api/web/libraries/<id:library_id>/tracks", tracks.LibraryTracksView.as_view()),
            path("api/web/libraries/<id:library_id>/browse", browse.LibraryBrowseView.as_view()),
            path("api/web/tracks/<id:track_id>", tracks.TrackDetailView.as_view()),
        ],
    ),
    *policy.routes(policy.LEGACY, [path("api/v1/scan", legacy.LegacyScanView.as_view())]),
    # The series library declares the policy of its own routes.
    path("", include("library.series.urls")),
]

"""URLs of the library's API: libraries, tracks and browsing (web), the legacy scan and tag
endpoints for API keys, picked files for the Processing page, and Lidarr's webhook."""

from django.urls import path

import nomarr_site.converters  # noqa: F401 - registers <id:…>
from library.api import browse, folders, legacy, libraries, model_sets, tagging, tracks
from nomarr_site.auth import policy

urlpatterns = [
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
            path("api/web/processing/process-files", tagging.ProcessFilesView.as_view()),
            path("api/web/tags", tagging.FileTagsView.as_view()),
            path("api/web/folders", folders.ServerFoldersView.as_view()),
            path("api/web/models/fetch", model_sets.ModelFetchView.as_view()),
        ],
    ),
    *policy.routes(
        policy.LEGACY,
        [
            path("api/v1/scan", legacy.LegacyScanView.as_view()),
            path("api/v1/tag", tagging.TagFileView.as_view()),
            path("api/v1/tags", tagging.FileTagsView.as_view()),
        ],
    ),
    *policy.routes(
        policy.WEBHOOK, [path("api/v1/webhooks/lidarr", tagging.LidarrWebhookView.as_view())]
    ),
]

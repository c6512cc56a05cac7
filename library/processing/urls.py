"""URLs of the tagging entry points."""

from django.urls import path

from library.processing import api
from nomarr_site.auth import policy

urlpatterns = [
    *policy.routes(
        policy.LEGACY,
        [
            path("api/v1/tag", api.TagFileView.as_view()),
            path("api/v1/tags", api.FileTagsView.as_view()),
        ],
    ),
    *policy.routes(
        policy.WEBHOOK, [path("api/v1/webhooks/lidarr", api.LidarrWebhookView.as_view())]
    ),
    *policy.routes(
        policy.WEB,
        [
            path("api/web/processing/process-files", api.ProcessFilesView.as_view()),
            path("api/web/tags", api.FileTagsView.as_view()),
        ],
    ),
]

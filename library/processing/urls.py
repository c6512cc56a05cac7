"""URLs of the tagging entry points."""

from django.urls import path

from library.processing import api

urlpatterns = [
    path("api/v1/tag", api.TagFileView.as_view()),
    path("api/v1/tags", api.FileTagsView.as_view()),
    path("api/v1/webhooks/lidarr", api.LidarrWebhookView.as_view()),
    path("api/web/processing/process-files", api.ProcessFilesView.as_view()),
    path("api/web/tags", api.FileTagsView.as_view()),
]

"""URLs of the configuration API (Aniworld's /api/config* shapes).

Backup names are captured with the `path` converter so that a name carrying a separator
(`../x`) reaches the view and is refused there with a 400, instead of falling through to 404.
"""

from django.urls import path

from nomarr_site.api import config as views
from nomarr_site.auth import policy

urlpatterns = policy.routes(
    policy.SERVICE,
    [
        path("api/config", views.ConfigView.as_view()),
        path("api/config/validate", views.ConfigValidateView.as_view()),
        path("api/config/fields", views.ConfigFieldsView.as_view()),
        path("api/config/directory", views.SeriesDirectoryView.as_view()),
        path("api/config/backups", views.BackupListView.as_view()),
        path("api/config/backups/<path:name>/restore", views.BackupRestoreView.as_view()),
        path("api/config/backups/<path:name>", views.BackupDetailView.as_view()),
    ],
)

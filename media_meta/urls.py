"""URLs of `media_meta`: Aniworld's `/api/nfo/*` endpoints (any full credential) and the web
API's NFO job (`/api/web/nfo/queue`). The batch and missing routes come before the
`{serie_id}` ones, which would otherwise take "batch"."""

from django.urls import path

from media_meta.api import views
from nomarr_site.auth import policy

urlpatterns = [
    *policy.routes(policy.WEB, [path("api/web/nfo/queue", views.NfoQueueView.as_view())]),
    *policy.routes(
        policy.SERVICE,
        [
            path("api/nfo/missing", views.NfoMissingView.as_view()),
            path("api/nfo/batch/create", views.NfoBatchCreateView.as_view()),
            path("api/nfo/<str:serie_id>/check", views.NfoCheckView.as_view()),
            path("api/nfo/<str:serie_id>/create", views.NfoCreateView.as_view()),
            path("api/nfo/<str:serie_id>/update", views.NfoUpdateView.as_view()),
            path("api/nfo/<str:serie_id>/content", views.NfoContentView.as_view()),
            path("api/nfo/<str:serie_id>/media/status", views.NfoMediaStatusView.as_view()),
            path("api/nfo/<str:serie_id>/media/download", views.NfoMediaDownloadView.as_view()),
        ],
    ),
]

"""URLs of the download queue's API, `/api/queue/*` (any full credential, like `/api/anime`;
the page is in `library/urls.py`). The literal `DELETE /api/queue/completed|failed|pending`
routes come before the item route, whose UUID converter would not match them anyway."""

from django.urls import path

import nomarr_site.converters  # noqa: F401 - registers <uuid_any:…>
from library.downloads.api import views as api
from nomarr_site.auth import policy

urlpatterns = [
    *policy.routes(
        policy.SERVICE,
        [
            path("api/queue", api.QueueItemsView.as_view()),
            path("api/queue/status", api.QueueStatusView.as_view()),
            path("api/queue/add", api.QueueAddView.as_view()),
            path("api/queue/start", api.QueueStartView.as_view()),
            path("api/queue/stop", api.QueueStopView.as_view()),
            path("api/queue/pause", api.QueuePauseView.as_view()),
            path("api/queue/reorder", api.QueueReorderView.as_view()),
            path("api/queue/retry", api.QueueRetryView.as_view()),
            path("api/queue/completed", api.QueueClearView.as_view(which="completed")),
            path("api/queue/failed", api.QueueClearView.as_view(which="failed")),
            path("api/queue/pending", api.QueueClearView.as_view(which="pending")),
            path("api/queue/<uuid_any:item_id>", api.QueueItemView.as_view()),
        ],
    ),
]

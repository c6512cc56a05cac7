"""URLs of `jobs`: the queue page, the web queue/worker API, the legacy and admin API-key
endpoints."""

from django.urls import path

import nomarr_site.converters  # noqa: F401 - registers <id:…>
from jobs import views
from jobs.api import legacy
from jobs.api import views as api
from nomarr_site.auth import policy

urlpatterns = [
    *policy.routes(policy.PAGE, [path("web/queue", views.queue_page, name="queue")]),
    *policy.routes(
        policy.WEB,
        [
            path("api/web/queue/queue-depth", api.QueueDepthView.as_view()),
            path("api/web/queue/summary", api.QueueSummaryView.as_view()),
            path("api/web/queue/list", api.JobListView.as_view()),
            path("api/web/queue/status/<id:job_id>", api.JobStatusView.as_view()),
            path("api/web/queue/admin/clear-all", api.ClearView.as_view(which="all")),
            path("api/web/queue/admin/clear-completed", api.ClearView.as_view(which="completed")),
            path("api/web/queue/admin/clear-errors", api.ClearView.as_view(which="errors")),
            path("api/web/queue/retry", api.RetryView.as_view()),
            path("api/web/queue/retry/<id:job_id>", api.RetryOneView.as_view()),
            path("api/web/queue/cancel", api.CancelView.as_view()),
            path("api/web/queue/cancel/<id:job_id>", api.CancelOneView.as_view()),
            path("api/web/queue/reorder", api.ReorderView.as_view()),
            path("api/web/worker/status", api.WorkerStatusView.as_view()),
            path("api/web/worker/pause", api.WorkerPauseView.as_view()),
            path("api/web/worker/resume", api.WorkerResumeView.as_view()),
            path("api/web/worker/restart", api.WorkerRestartView.as_view()),
        ],
    ),
    *policy.routes(
        policy.LEGACY,
        [
            path("api/v1/list", legacy.LegacyListView.as_view()),
            path("api/v1/status/<id:job_id>", legacy.LegacyStatusView.as_view()),
        ],
    ),
    *policy.routes(
        policy.ADMIN,
        [
            path("admin/worker/pause", legacy.AdminWorkerPauseView.as_view()),
            path("admin/worker/resume", legacy.AdminWorkerResumeView.as_view()),
            path("admin/cleanup", legacy.AdminCleanupView.as_view()),
            path("admin/queue/summary", legacy.AdminQueueSummaryView.as_view()),
            path("admin/cache/refresh", legacy.AdminCacheRefreshView.as_view()),
        ],
    ),
]

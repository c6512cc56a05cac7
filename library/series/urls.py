"""URLs of the series library: Aniworld's `/api/anime*` and `/api/scheduler/*` endpoints
(search and one series are public, as the reference says; the rest take any full credential),
the web API behind the series pages, and the pages."""

from django.urls import path

import nomarr_site.converters  # noqa: F401 - registers <id:…>
from library.series import views
from library.series.api import scheduler, web
from library.series.api import views as api
from nomarr_site.auth import policy

urlpatterns = [
    *policy.routes(
        policy.SERVICE,
        [
            path("api/anime", api.AnimeListView.as_view()),
            path("api/anime/status", api.AnimeStatusView.as_view()),
            path("api/anime/add", api.AnimeAddView.as_view()),
            path("api/anime/rescan", api.AnimeRescanView.as_view()),
            path("api/scheduler/config", scheduler.SchedulerConfigView.as_view()),
            path("api/scheduler/trigger-rescan", scheduler.TriggerRescanView.as_view()),
        ],
    ),
    *policy.routes(
        policy.PUBLIC,
        [
            path("api/anime/search", api.AnimeSearchView.as_view()),
            path("api/anime/<str:anime_id>", api.AnimeDetailView.as_view()),
        ],
    ),
    *policy.routes(
        policy.WEB,
        [
            path("api/web/series", web.SeriesListView.as_view()),
            path("api/web/series/<id:series_id>", web.SeriesDetailView.as_view()),
            path("api/web/series/<id:series_id>/poster", web.SeriesPosterView.as_view()),
        ],
    ),
    *policy.routes(
        policy.PAGE,
        [
            path("web/series", views.series_list_page, name="series"),
            path("web/series/<id:series_id>", views.series_page, name="series-detail"),
        ],
    ),
]

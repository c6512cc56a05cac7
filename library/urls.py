"""URLs of `library`: its pages here (the download queue's too), its API in `library.api.urls`,
the series library in `library.series.urls`, the download queue's API in
`library.downloads.api.urls`, file imports in `library.imports.urls`."""

from django.urls import include, path

import nomarr_site.converters  # noqa: F401 - registers <id:…>
from library import views
from library.downloads import views as download_views
from nomarr_site.auth import policy

urlpatterns = [
    *policy.routes(
        policy.PAGE,
        [
            path("web/libraries", views.libraries_page, name="libraries"),
            path("web/process", views.processing_page, name="processing"),
            path("web/tracks/<id:track_id>", views.track_page, name="track"),
            path("web/downloads", download_views.downloads_page, name="downloads"),
        ],
    ),
    path("", include("library.api.urls")),
    # The series library and the download queue declare the policy of their own routes.
    path("", include("library.series.urls")),
    path("", include("library.downloads.api.urls")),
    # So do file imports (AltMount's endpoint has a policy group of its own).
    path("", include("library.imports.urls")),
]

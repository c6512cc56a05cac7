"""URLs of `library`: its pages here, its API in `library.api.urls`, the series library in
`library.series.urls`, the download queue in `library.downloads.urls`."""

from django.urls import include, path

import nomarr_site.converters  # noqa: F401 - registers <id:…>
from library import views
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
    path("", include("library.api.urls")),
    # The series library and the download queue declare the policy of their own routes.
    path("", include("library.series.urls")),
    path("", include("library.downloads.urls")),
]

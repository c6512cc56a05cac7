"""URLs of `library`: its pages here, its API in `library.api.urls`, the series library in
`library.series.urls`, file imports in `library.imports.urls`."""

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
    # The series library declares the policy of its own routes.
    path("", include("library.series.urls")),
    # So do file imports (AltMount's endpoint has a policy group of its own).
    path("", include("library.imports.urls")),
]

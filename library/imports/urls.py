"""URLs of file imports: AltMount's import endpoint (its own policy group, API keys and
AltMount's error shape), the history's web API and the page."""

from django.urls import path

from library.imports import views
from library.imports.api import views as api
from nomarr_site.auth import policy

urlpatterns = [
    *policy.routes(policy.IMPORT, [path("api/import/file", api.ImportFileView.as_view())]),
    *policy.routes(policy.WEB, [path("api/web/imports", api.ImportHistoryView.as_view())]),
    *policy.routes(policy.PAGE, [path("web/imports", views.imports_page, name="imports")]),
]

"""URLs of `calibration`: its API in `calibration.api.urls`."""

from django.urls import include, path

urlpatterns = [path("", include("calibration.api.urls"))]

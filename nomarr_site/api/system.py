"""Health and info endpoints (public). Without a credential they answer statuses and counts
only; the full report, with paths, hosts and PIDs, needs a login, a token or an API key."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from jobs.info import info as jobs_info
from library.info import info as library_info
from nomarr_site import health


class HealthView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response(health.basic())


class HealthDetailedView(APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT, 503: OpenApiTypes.OBJECT})
    def get(self, request):
        body, status_code = health.detailed()
        if request.auth is None:
            body = health.summary(body)
        return Response(body, status=status_code)


class InfoView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        body = {"name": "Nomarr", "version": settings.VERSION}
        body.update(jobs_info())
        body.update(library_info(include_paths=request.auth is not None))
        return Response(body)

"""POST /api/v1/scan: the API-key scan entry point kept for scripts (by path or library)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.views import APIView

from library.api.libraries import get_library, queue_scan_response
from library.api.serializers import LegacyScanRequestSerializer, ScanQueuedSerializer
from library.paths import resolve_inside_roots


class LegacyScanView(APIView):
    @extend_schema(
        request=LegacyScanRequestSerializer,
        responses=ScanQueuedSerializer,
        description="Queue a scan of a folder or file inside an enabled library ('path'), or "
        "of a whole library ('library_id'). 400 malformed or missing path, 403 outside every "
        "library root, 404 unknown library, 409 disabled library.",
    )
    def post(self, request):
        data = LegacyScanRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        options = dict(data.validated_data)
        if "path" in options:
            resolved, library = resolve_inside_roots(options.pop("path"))
            options["paths"] = [str(resolved)]
        else:
            library = get_library(options.pop("library_id"))
        return queue_scan_response(library, options)

"""GET /api/web/folders: the server's folders, for the folder picker of the library form and
the settings page (`library.server_folders`)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from library.server_folders import server_folders
from nomarr_site.pagination import PAGE_PARAMETERS, limit_offset, page_body, page_schema

FOLDER_LIST = {
    **page_schema(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "path": {"type": "string"}},
            },
        }
    ),
}
FOLDER_LIST["properties"] = {
    **FOLDER_LIST["properties"],
    "path": {"type": "string", "description": "the folder listed"},
    "parent": {"type": "string", "nullable": True, "description": "null at /"},
    "truncated": {"type": "boolean"},
}


class ServerFoldersView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("path", str, description="An absolute folder (default /)."),
            *PAGE_PARAMETERS,
        ],
        responses={200: FOLDER_LIST},
    )
    def get(self, request):
        limit, offset = limit_offset(request.query_params)
        listing = server_folders(request.query_params.get("path") or "/")
        page = [
            {"name": folder.name, "path": folder.path}
            for folder in listing.folders[offset : offset + limit]
        ]
        body = page_body(page, len(listing.folders), limit, offset)
        return Response(
            {**body, "path": listing.path, "parent": listing.parent, "truncated": listing.truncated}
        )

"""The one pagination of our own list endpoints.

`limit` (default 50, at most 500: more is capped) and `offset` (default 0) come from the query
string as plain whole numbers; anything else is a 400 naming the parameter
(nomarr_site/integers.py). The answer is `{"count": <all matches>, "limit": <used>, "offset":
<used>, "results": [...]}`, where a list may add context keys beside them (a folder listing
names its folder). Reference lists keep their envelope (the queue's `{"jobs", "total", "limit",
"offset"}`) but read `limit` and `offset` here, so every list pages the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drf_spectacular.utils import OpenApiParameter
from rest_framework.pagination import LimitOffsetPagination as DRFLimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response

from nomarr_site.integers import query_int

DEFAULT_LIMIT = 50
MAX_LIMIT = 500

PAGE_PARAMETERS = [
    OpenApiParameter(
        "limit",
        int,
        description=f"Page size: default {DEFAULT_LIMIT}, at most {MAX_LIMIT} (more is capped).",
    ),
    OpenApiParameter("offset", int, description="How many matches to skip (default 0)."),
]


def limit_offset(params: Mapping[str, Any]) -> tuple[int, int]:
    """`limit` (capped at MAX_LIMIT, as DRF caps) and `offset` from a query string."""
    limit = query_int(params, "limit", DEFAULT_LIMIT, minimum=1)
    return min(limit, MAX_LIMIT), query_int(params, "offset", 0)


def page_body(results: list[Any], count: int, limit: int, offset: int) -> dict[str, Any]:
    """The envelope of one page of an own list."""
    return {"count": count, "limit": limit, "offset": offset, "results": results}


def page_schema(results: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI schema of the envelope, around the schema of its `results`."""
    return {
        "type": "object",
        "required": ["count", "limit", "offset", "results"],
        "properties": {
            "count": {"type": "integer", "description": "All matches, on every page."},
            "limit": {"type": "integer"},
            "offset": {"type": "integer"},
            "results": results,
        },
    }


class LimitOffsetPagination(DRFLimitOffsetPagination):
    """DRF's pagination class (REST_FRAMEWORK's default) speaking the one envelope."""

    default_limit = DEFAULT_LIMIT
    max_limit = MAX_LIMIT
    # Always set by `paginate_queryset` before the response: `get_limit` never answers None.
    limit: int
    offset: int
    count: int

    def get_limit(self, request: Request) -> int:
        return limit_offset(request.query_params)[0]

    def get_offset(self, request: Request) -> int:
        return limit_offset(request.query_params)[1]

    def get_paginated_response(self, data: Any) -> Response:
        return Response(page_body(data, self.count, self.limit, self.offset))

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return page_schema(schema)

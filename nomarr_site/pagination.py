"""Default pagination for list endpoints: `limit`/`offset`, capped, always ordered; a limit or
offset that is not a whole number in range is a 400 naming it (nomarr_site/integers.py)."""

from rest_framework.pagination import LimitOffsetPagination as DRFLimitOffsetPagination
from rest_framework.request import Request

from nomarr_site.integers import query_int


class LimitOffsetPagination(DRFLimitOffsetPagination):
    default_limit = 50
    max_limit = 1000

    def get_limit(self, request: Request) -> int:
        # Over the cap is capped (as DRF does); malformed or below 1 is refused.
        limit = query_int(request.query_params, self.limit_query_param, self.default_limit, 1)
        return min(limit, self.max_limit)

    def get_offset(self, request: Request) -> int:
        return query_int(request.query_params, self.offset_query_param, 0)

"""Default pagination for list endpoints: `limit`/`offset`, capped, always ordered."""

from rest_framework.pagination import LimitOffsetPagination as DRFLimitOffsetPagination


class LimitOffsetPagination(DRFLimitOffsetPagination):
    default_limit = 50
    max_limit = 1000

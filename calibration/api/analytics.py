"""Analytics endpoints of the web API, with the reference's shapes and defaults (`limit` 50,
`top_n` 20)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from calibration import analytics
from nomarr_site.integers import query_int

MAX_ROWS = 1000


class TagFrequenciesView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("limit", OpenApiTypes.INT, default=50)],
        responses=OpenApiTypes.OBJECT,
        description="Per namespace tag: tracks carrying it (`total_count`) and its distinct "
        "values (`unique_values`), most frequent first.",
    )
    def get(self, request):
        limit = query_int(request.query_params, "limit", 50, minimum=1, maximum=MAX_ROWS)
        return Response({"tag_frequencies": analytics.tag_frequencies(limit)})


class MoodDistributionView(APIView):
    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        description="Tracks per mood at the regular tier or stricter; `percentage` is of all "
        "tracks, 1 decimal.",
    )
    def get(self, request):
        return Response({"mood_distribution": analytics.mood_distribution()})


class TagCorrelationsView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("top_n", OpenApiTypes.INT, default=20)],
        responses=OpenApiTypes.OBJECT,
        description="`mood_correlations`: the `top_n` strongest mood pairs (phi coefficient "
        "of having both moods). `mood_tier_correlations`: per mood, the share of its tracks "
        "reaching each tier (`tier_s` = strict, `tier_a` = regular).",
    )
    def get(self, request):
        top_n = query_int(request.query_params, "top_n", 20, minimum=1, maximum=MAX_ROWS)
        return Response(
            {
                "mood_correlations": analytics.mood_correlations(top_n),
                "mood_tier_correlations": analytics.mood_tier_shares(),
            }
        )

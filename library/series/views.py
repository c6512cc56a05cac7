"""Pages of the series library: the list of series (with missing-episode badges, search and
an add dialog, the rescan schedule) and one series (episodes by season, NFO and artwork)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from library.models import Series
from nomarr_site.config import DAYS

DAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@login_required
def series_list_page(request: HttpRequest) -> HttpResponse:
    """The list and the add dialog run on the JSON API (series.js), the rescan schedule on
    `/api/scheduler/config` (schedule.js)."""
    context = {"active": "series", "schedule_days": list(zip(DAYS, DAY_LABELS, strict=True))}
    return render(request, "library/series_list.html", context)


@login_required
def series_page(request: HttpRequest, series_id: int) -> HttpResponse:
    series = get_object_or_404(Series, pk=series_id)
    return render(request, "library/series.html", {"active": "series", "series": series})

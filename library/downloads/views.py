"""The download queue page: items with live progress bars, drag-to-reorder (and up/down
buttons), start/stop, retry, remove and clear; it runs on `/api/queue/*` (downloads.js)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def downloads_page(request: HttpRequest) -> HttpResponse:
    return render(request, "library/downloads.html", {"active": "downloads"})

"""The imports page: the import queue and its history with each item's outcome, kept live
by the job events of the `queue` room (imports.js)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def imports_page(request: HttpRequest) -> HttpResponse:
    return render(request, "library/imports.html", {"active": "imports"})

"""Helper for areas whose pages a later change fills: a logged-in page that says what will
appear there, so every navigation link works from the start."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


def placeholder(key: str, title: str, description: str):
    @login_required
    def view(request):
        return render(
            request,
            "placeholder.html",
            {"active": key, "title": title, "description": description},
        )

    view.__name__ = f"{key}_page"
    return view

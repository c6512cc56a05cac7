"""Template context shared by every page: version and the navigation."""

from __future__ import annotations

from django.conf import settings

NAVIGATION = [
    ("dashboard", "Dashboard", "/web/dashboard"),
    ("queue", "Queue", "/web/queue"),
    ("libraries", "Libraries", "/web/libraries"),
    ("processing", "Processing", "/web/process"),
    ("calibration", "Calibration", "/web/calibration"),
    ("analytics", "Analytics", "/web/analytics"),
    ("navidrome", "Navidrome", "/web/navidrome"),
    ("series", "Series", "/web/series"),
    ("downloads", "Downloads", "/web/downloads"),
    ("invitations", "Invitations", "/web/invitations"),
    ("users", "Users", "/web/users"),
    ("settings", "Settings", "/web/settings"),
]


def nomarr(request):
    return {"nomarr_version": settings.VERSION, "navigation": NAVIGATION}

"""Template context shared by every page: version and the navigation."""

from __future__ import annotations

from django.conf import settings

NAVIGATION = [
    ("dashboard", "Dashboard", "/web/dashboard"),
    ("queue", "Queue", "/web/queue"),
    ("libraries", "Libraries", "/web/libraries"),
    ("processing", "Processing", "/web/process"),
    ("series", "Series", "/web/series"),
    ("servers", "Servers", "/web/servers"),
    ("invitations", "Invitations", "/web/invitations"),
    ("users", "Users", "/web/users"),
    ("calibration", "Calibration", "/web/calibration"),
    ("analytics", "Analytics", "/web/analytics"),
    ("navidrome", "Navidrome", "/web/navidrome"),
    ("settings", "Settings", "/web/settings"),
]


def nomarr(request):
    return {"nomarr_version": settings.VERSION, "navigation": NAVIGATION}

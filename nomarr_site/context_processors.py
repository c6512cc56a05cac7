"""Template context shared by every page: version and the navigation.

The menu is a few top-level pages and groups (`NavGroup`), so it stays one line at desktop
width however many pages the apps add: a group opens on hover or focus, and at phone width
every group is listed open."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

Page = tuple[str, str, str]  # (key, label, url); `active` in a page's context is its key


@dataclass(frozen=True)
class NavGroup:
    label: str
    pages: list[Page]

    def keys(self) -> set[str]:
        return {key for key, _label, _url in self.pages}


NAVIGATION: list[Page | NavGroup] = [
    ("dashboard", "Dashboard", "/web/dashboard"),
    ("queue", "Queue", "/web/queue"),
    NavGroup(
        "Music",
        [
            ("libraries", "Libraries", "/web/libraries"),
            ("processing", "Processing", "/web/process"),
            ("calibration", "Calibration", "/web/calibration"),
            ("analytics", "Analytics", "/web/analytics"),
            ("navidrome", "Navidrome", "/web/navidrome"),
        ],
    ),
    NavGroup(
        "Series",
        [
            ("series", "Series", "/web/series"),
            ("downloads", "Downloads", "/web/downloads"),
            ("imports", "Imports", "/web/imports"),
        ],
    ),
    NavGroup(
        "Sharing",
        [
            ("servers", "Servers", "/web/servers"),
            ("invitations", "Invitations", "/web/invitations"),
            ("users", "Users", "/web/users"),
        ],
    ),
    ("settings", "Settings", "/web/settings"),
]


def menu_pages() -> list[Page]:
    """Every page the menu leads to, groups opened, in menu order."""
    return [
        page
        for item in NAVIGATION
        for page in (item.pages if isinstance(item, NavGroup) else [item])
    ]


def nomarr(request):
    return {"nomarr_version": settings.VERSION, "navigation": NAVIGATION}

"""App config for the platform app."""

from django.apps import AppConfig


class NomarrSiteConfig(AppConfig):
    name = "nomarr_site"
    verbose_name = "Nomarr platform"

    def ready(self) -> None:
        from nomarr_site import checks  # noqa: F401  (registers system checks)
        from nomarr_site.auth import schema  # noqa: F401  (registers the OpenAPI extension)

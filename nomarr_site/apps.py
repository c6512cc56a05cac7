"""App config for the platform app."""

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class NomarrSiteConfig(AppConfig):
    name = "nomarr_site"
    verbose_name = "Nomarr platform"

    def ready(self) -> None:
        from nomarr_site import checks  # noqa: F401  (registers system checks)
        from nomarr_site.auth import schema  # noqa: F401  (registers the OpenAPI extension)
        from nomarr_site.httplog import install as hide_url_credentials_in_httpx_log
        from nomarr_site.log_level import install as follow_the_log_level_setting
        from nomarr_site.private_files import secure_at_startup

        secure_at_startup()
        hide_url_credentials_in_httpx_log()
        follow_the_log_level_setting()


class BackofficeConfig(admin_apps.AdminConfig):
    """django.contrib.admin with Nomarr's site (its login shares the login limiter). Not the
    default config of this module: `nomarr_site` itself stays NomarrSiteConfig."""

    default = False

    default_site = "nomarr_site.backoffice.NomarrAdminSite"

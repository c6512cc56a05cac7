"""App config for `library`."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class LibraryConfig(AppConfig):
    name = "library"
    verbose_name = "Libraries and tagging"

    def ready(self) -> None:
        # Importing these registers the job subjects, the system checks and the `scan`, `tag`
        # and `series_scan` job kinds (Django's documented place for such side effects).
        from library import checks, subjects  # noqa: F401
        from library.scanning import scan_job  # noqa: F401
        from library.series import scan_job as series_scan_job  # noqa: F401
        from library.tag_index import ensure_installed
        from library.tagging import fetch_job, tag_job  # noqa: F401

        post_migrate.connect(ensure_installed, sender=self, dispatch_uid="library.tag_index")

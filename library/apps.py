"""App config for `library`."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class LibraryConfig(AppConfig):
    name = "library"
    verbose_name = "Libraries and tagging"

    def ready(self) -> None:
        # Importing these registers the job subjects, the system checks, the `scan`, `tag`,
        # `series_scan`, `download` and `import` job kinds and the rescan schedule's hooks
        # (Django's documented place for such side effects).
        from library import checks, subjects  # noqa: F401
        from library.downloads import download_job  # noqa: F401
        from library.imports import import_job  # noqa: F401
        from library.scanning import scan_job  # noqa: F401
        from library.series import scan_job as series_scan_job  # noqa: F401
        from library.series import schedule  # noqa: F401
        from library.tag_index import ensure_installed
        from library.tagging import fetch_job, tag_job  # noqa: F401

        post_migrate.connect(ensure_installed, sender=self, dispatch_uid="library.tag_index")

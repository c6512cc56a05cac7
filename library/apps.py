"""App config for `library`."""

from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "library"
    verbose_name = "Libraries and tagging"

    def ready(self) -> None:
        # Importing these registers the system checks and the `scan`, `tag` and `series_scan`
        # job kinds (with their subjects).
        from library import checks, jobs  # noqa: F401
        from library.processing import jobs as tagging_jobs  # noqa: F401
        from library.series import scan_job  # noqa: F401

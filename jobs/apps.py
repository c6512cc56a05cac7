"""App config for `jobs`: loads the job kinds of every app and, inside `qcluster`, the sweep."""

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = "Job queue"

    def ready(self) -> None:
        from jobs import kinds  # noqa: F401 - registers noop and sleep

        # Each app's `jobs.py` registers its kinds (web and worker processes alike).
        autodiscover_modules("jobs")
        from jobs.cluster import is_cluster_process, start_sweep_thread

        if is_cluster_process():
            start_sweep_thread()

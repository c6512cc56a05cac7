"""App config for `calibration`."""

from django.apps import AppConfig


class CalibrationConfig(AppConfig):
    name = "calibration"
    verbose_name = "Calibration, analytics and Navidrome"

    def ready(self) -> None:
        # Importing these registers the `calibrate`, `recalibrate` and `recalibrate_all` job
        # kinds.
        from calibration import calibrate_job, recalibrate_job  # noqa: F401

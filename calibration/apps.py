"""App config for `calibration`."""

from django.apps import AppConfig


class CalibrationConfig(AppConfig):
    name = "calibration"
    verbose_name = "Calibration, analytics and Navidrome"

"""Backoffice registrations for `calibration`: runs and their statistics, read-only."""

from django.contrib import admin

from calibration.models import Calibration, HeadStats


@admin.register(Calibration)
class CalibrationAdmin(admin.ModelAdmin):
    list_display = ("version", "created_at", "track_count", "heads", "changed_heads")

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(HeadStats)
class HeadStatsAdmin(admin.ModelAdmin):
    list_display = ("calibration", "head", "label", "samples", "p5", "p95", "stable")
    list_filter = ("head", "stable", "is_reference")

    def has_change_permission(self, request, obj=None) -> bool:
        return False

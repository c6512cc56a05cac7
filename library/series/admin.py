"""Backoffice registrations for the series library (imported by `library/admin.py`)."""

from django.contrib import admin

from library.models import Episode, RescanSchedule, Series


class EpisodeInline(admin.TabularInline):
    model = Episode
    extra = 0
    fields = ("season", "number", "title", "air_date", "is_present", "path")
    readonly_fields = ("path",)


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ("name", "key", "folder", "year", "tmdb_id", "scanned_at")
    search_fields = ("name", "key", "folder")
    list_filter = ("site",)
    readonly_fields = ("created_at", "updated_at", "scanned_at")
    inlines = [EpisodeInline]


@admin.register(Episode)
class EpisodeAdmin(admin.ModelAdmin):
    list_display = ("series", "season", "number", "title", "air_date", "is_present")
    list_filter = ("is_present", "season")
    search_fields = ("series__name", "title", "path")
    list_select_related = ("series",)


@admin.register(RescanSchedule)
class RescanScheduleAdmin(admin.ModelAdmin):
    """Read-only: the scheduler writes it; its settings are on the settings page."""

    list_display = ("__str__", "last_job_id", "last_message")
    readonly_fields = ("last_run", "last_job_id", "last_message")

    def has_add_permission(self, request: object) -> bool:
        return False

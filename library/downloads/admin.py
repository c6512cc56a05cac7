"""Backoffice registration of the download queue's items (imported by `library/admin.py`)."""

from django.contrib import admin

from library.models import DownloadItem


@admin.register(DownloadItem)
class DownloadItemAdmin(admin.ModelAdmin):
    list_display = ("series", "season", "episode", "title", "job", "added_at", "retry_count")
    list_filter = ("season", "job__status")
    search_fields = ("series__name", "series__key", "title", "source_url")
    list_select_related = ("series", "job")
    readonly_fields = ("id", "job", "added_at", "downloaded_bytes", "total_bytes", "file_path")
    raw_id_fields = ("series",)

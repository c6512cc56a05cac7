"""Backoffice registrations for `library`."""

from django import forms
from django.contrib import admin

from library import libraries
from library.models import ImportItem, Library, Track, TrackEmbedding, TrackScore, TrackTag
from library.paths import PathRefused, validate_root


class LibraryAdminForm(forms.ModelForm):
    """The API's root checks (no system folder, no nesting) apply here too."""

    class Meta:
        model = Library
        fields = "__all__"  # noqa: DJ007 - the backoffice edits every field

    def clean_root_path(self) -> str:
        try:
            return str(validate_root(self.cleaned_data["root_path"], exclude=self.instance))
        except PathRefused as exc:
            raise forms.ValidationError(exc.message) from None


@admin.register(Library)
class LibraryAdmin(admin.ModelAdmin):
    form = LibraryAdminForm
    list_display = ("name", "root_path", "kind", "is_enabled", "is_default", "updated_at")
    list_filter = ("kind", "is_enabled", "is_default")
    search_fields = ("name", "root_path")

    def delete_model(self, request, obj: Library) -> None:
        libraries.delete_library(obj)  # cancels its jobs with the reason, as the API does

    def delete_queryset(self, request, queryset) -> None:
        for library in queryset:
            libraries.delete_library(library)


class TrackScoreInline(admin.TabularInline):
    model = TrackScore
    extra = 0
    readonly_fields = [f.name for f in TrackScore._meta.fields if f.name != "id"]
    can_delete = False


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = ("path", "artist", "album", "title", "format", "duration", "is_readable")
    list_filter = ("library", "format", "is_readable")
    search_fields = ("path", "artist", "album", "title")
    readonly_fields = ("created_at", "updated_at", "last_seen_scan")
    list_select_related = ("library",)
    show_full_result_count = False  # counting a large library on every page load is slow
    inlines = [TrackScoreInline]


@admin.register(TrackScore)
class TrackScoreAdmin(admin.ModelAdmin):
    list_display = ("track", "head", "label", "score_mean", "score_std", "pipeline_version")
    list_filter = ("head", "pipeline_version")
    search_fields = ("track__path", "head", "label")
    raw_id_fields = ("track",)


@admin.register(TrackEmbedding)
class TrackEmbeddingAdmin(admin.ModelAdmin):
    list_display = ("track", "backbone", "dimensions", "patches", "pipeline_version")
    list_filter = ("backbone", "pipeline_version")
    search_fields = ("track__path", "backbone", "model_sha256")
    raw_id_fields = ("track",)
    exclude = ("vector",)  # float32 bytes: nothing a person reads or edits
    readonly_fields = ("model_sha256", "dimensions", "patches", "created_at")


@admin.register(TrackTag)
class TrackTagAdmin(admin.ModelAdmin):
    """Read-only: database triggers keep these rows in step with each track's tags."""

    list_display = ("track", "key", "value", "number", "position")
    list_filter = ("key",)
    search_fields = ("track__path", "key", "value")
    readonly_fields = ("track", "key", "value", "number", "position", "listed")
    list_select_related = ("track",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# The series library and the download queue register their own models.
from library.downloads import admin as downloads_admin  # noqa: E402, F401
from library.series import admin as series_admin  # noqa: E402, F401


@admin.register(ImportItem)
class ImportItemAdmin(admin.ModelAdmin):
    """Read-only: an import's record is written by its job."""

    list_display = ("id", "file_path", "kind", "status", "destination", "created_at")
    list_filter = ("kind", "status")
    search_fields = ("file_path", "resolved_path", "destination", "downloader_id")
    readonly_fields = [f.name for f in ImportItem._meta.fields]
    list_select_related = ("job",)

    def has_add_permission(self, request) -> bool:
        return False

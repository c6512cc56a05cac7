"""Backoffice registrations for the platform models. Secrets are never shown: keys and tokens
exist only as hashes (their prefixes are read-only), and secret settings are masked."""

from django.contrib import admin

from nomarr_site import config
from nomarr_site.models import ApiKey, AppSetting, AuthToken, OutboxEvent

MASK = "•••••••• (set)"


def is_secret_setting(key: str) -> bool:
    """Whether the setting `key` is marked secret in nomarr_site.config (unknown keys are not)."""
    item = config.DEFINITIONS.get(key)
    return bool(item and item.secret)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "created_by", "created_at", "last_used_at", "is_active")
    list_filter = ("is_active", "created_by")
    search_fields = ("name", "prefix")
    readonly_fields = ("prefix", "created_at", "last_used_at", "created_by", "deleted_at")
    exclude = ("key_hash",)

    def has_add_permission(self, request):
        return False  # keys are created where their clear value can be shown once


@admin.register(AuthToken)
class AuthTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("kind",)
    search_fields = ("user__username", "client")
    readonly_fields = ("user", "kind", "created_at", "expires_at", "last_used_at", "client")
    exclude = ("token_hash",)

    def has_add_permission(self, request):
        return False


@admin.register(AppSetting)
class AppSettingAdmin(admin.ModelAdmin):
    """Stored settings. A secret one (the TMDB key) shows only whether it is set, in the list
    and on its page, and cannot be edited here: the settings page replaces it."""

    list_display = ("key", "shown_value", "updated_at")
    search_fields = ("key",)

    @admin.display(description="value")
    def shown_value(self, setting: AppSetting) -> object:
        if is_secret_setting(setting.key):
            return MASK if setting.value else "(not set)"
        return setting.value

    def get_fields(self, request, obj=None):
        if obj is not None and is_secret_setting(obj.key):
            return ("key", "shown_value", "updated_at")
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and is_secret_setting(obj.key):
            return ("key", "shown_value", "updated_at")
        return super().get_readonly_fields(request, obj)


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    """Recent events, for debugging live updates; written by emit(), never by hand."""

    list_display = ("id", "room", "event_type", "created_at")
    list_filter = ("room",)
    search_fields = ("envelope",)
    readonly_fields = ("room", "envelope", "created_at")

    @admin.display(description="type")
    def event_type(self, event):
        return event.envelope.get("type", "")

    def has_add_permission(self, request):
        return False

"""Backoffice registrations for the platform models. Secrets are never shown: only hashes'
prefixes exist, and they are read-only."""

from django.contrib import admin

from nomarr_site.models import ApiKey, AppSetting, AuthToken, OutboxEvent


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
    list_display = ("key", "value", "updated_at")
    search_fields = ("key",)


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

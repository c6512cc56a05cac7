"""Backoffice registrations for `invitations`. A server's credentials are not shown or
edited here (the field is not editable; the servers page sets them)."""

from django.contrib import admin

from invitations.models import (
    ExpiryAction,
    Invitation,
    MediaServer,
    MediaUser,
    Person,
    Redemption,
    ServerLibrary,
)


@admin.register(MediaServer)
class MediaServerAdmin(admin.ModelAdmin):
    list_display = ("name", "server_type", "server_url", "verified", "created_at")
    list_filter = ("server_type", "verified")
    search_fields = ("name", "server_url")
    exclude = ("credentials_encrypted",)


@admin.register(ServerLibrary)
class ServerLibraryAdmin(admin.ModelAdmin):
    list_display = ("name", "server", "external_id")
    list_filter = ("server",)
    search_fields = ("name", "external_id")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("code", "created", "expires", "duration", "unlimited", "used_at")
    list_filter = ("unlimited",)
    search_fields = ("code",)
    filter_horizontal = ("servers", "libraries")


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("username", "email", "invitation", "created")
    search_fields = ("username", "email")


@admin.register(Redemption)
class RedemptionAdmin(admin.ModelAdmin):
    list_display = ("invitation", "server", "person", "status", "updated_at")
    list_filter = ("status",)
    search_fields = ("invitation__code", "person__username", "error")


@admin.register(MediaUser)
class MediaUserAdmin(admin.ModelAdmin):
    list_display = ("username", "server", "email", "expires", "disabled", "created")
    list_filter = ("server", "disabled")
    search_fields = ("username", "email")


@admin.register(ExpiryAction)
class ExpiryActionAdmin(admin.ModelAdmin):
    list_display = ("at", "action", "username", "server_name", "succeeded")
    list_filter = ("action", "succeeded")
    search_fields = ("username", "server_name", "message")

"""The JSON shapes of the reference endpoints (Wizarr's field names: `created` for users and
invitations, `created_at` for servers), and serializers that describe them to the schema.
No shape carries a server's credentials."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rest_framework import serializers

from invitations.models import Invitation, MediaServer, MediaUser, ServerLibrary
from invitations.services.invites import display_name, specific_libraries
from nomarr_site.timefmt import utc_iso


def when(moment: datetime | None) -> str | None:
    return utc_iso(moment) if moment is not None else None


def user_json(user: MediaUser) -> dict[str, Any]:
    return {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "server": user.server.name,
        "server_type": user.server.server_type,
        "expires": when(user.expires),
        "created": when(user.created),
    }


def _names(invitation: Invitation) -> dict[str, Any]:
    name = display_name(invitation)
    return {
        "display_name": name.display_name,
        "server_names": name.server_names,
        "uses_global_setting": name.uses_global_setting,
    }


def invitation_json(invitation: Invitation) -> dict[str, Any]:
    """An item of GET /api/invitations (`invitation` comes from `with_status()`)."""
    return {
        "id": invitation.pk,
        "code": invitation.code,
        "status": invitation.status,  # type: ignore[attr-defined]
        "created": when(invitation.created),
        "expires": when(invitation.expires),
        "used_at": when(invitation.used_at),
        "used_by": invitation.used_by.username if invitation.used_by else None,
        "duration": invitation.duration,
        "unlimited": invitation.unlimited,
        "specific_libraries": specific_libraries(invitation),
        **_names(invitation),
    }


def created_invitation_json(invitation: Invitation) -> dict[str, Any]:
    """The `invitation` of POST /api/invitations' answer."""
    return {
        "id": invitation.pk,
        "code": invitation.code,
        "expires": when(invitation.expires),
        "duration": invitation.duration,
        "unlimited": invitation.unlimited,
        **_names(invitation),
    }


def library_json(library: ServerLibrary) -> dict[str, Any]:
    return {"id": library.pk, "name": library.name, "server_id": library.server_id}


def server_json(server: MediaServer) -> dict[str, Any]:
    return {
        "id": server.pk,
        "name": server.name,
        "server_type": server.server_type,
        "server_url": server.server_url,
        "external_url": server.external_url or None,
        "verified": server.verified,
        "allow_downloads": server.allow_downloads,
        "allow_live_tv": server.allow_live_tv,
        "allow_mobile_uploads": server.allow_mobile_uploads,
        "created_at": when(server.created_at),
    }


class InvitationsStatusSerializer(serializers.Serializer):
    users = serializers.IntegerField()
    invites = serializers.IntegerField()
    pending = serializers.IntegerField()
    expired = serializers.IntegerField()


class MediaUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.CharField()
    server = serializers.CharField(help_text="The server's name")
    server_type = serializers.CharField()
    expires = serializers.DateTimeField(allow_null=True)
    created = serializers.DateTimeField()


class _NamesSerializer(serializers.Serializer):
    display_name = serializers.CharField()
    server_names = serializers.ListField(child=serializers.CharField())
    uses_global_setting = serializers.BooleanField()


class InvitationSerializer(_NamesSerializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    status = serializers.CharField(help_text="pending, used or expired")
    created = serializers.DateTimeField()
    expires = serializers.DateTimeField(allow_null=True)
    used_at = serializers.DateTimeField(allow_null=True)
    used_by = serializers.CharField(allow_null=True)
    duration = serializers.CharField()
    unlimited = serializers.BooleanField()
    specific_libraries = serializers.ListField(child=serializers.IntegerField(), allow_null=True)


class CreatedInvitationSerializer(_NamesSerializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    expires = serializers.DateTimeField(allow_null=True)
    duration = serializers.CharField()
    unlimited = serializers.BooleanField()


class CreateInvitationSerializer(serializers.Serializer):
    """Documentation of the request; `invites.create_invitation` checks every value."""

    expires_in_days = serializers.ChoiceField(choices=[1, 7, 30], allow_null=True, required=False)
    duration = serializers.CharField(required=False, help_text='Days, or "unlimited" (default)')
    unlimited = serializers.BooleanField(required=False, help_text="Multi-use (default true)")
    library_ids = serializers.ListField(child=serializers.IntegerField(), required=False)
    allow_downloads = serializers.BooleanField(required=False)
    allow_live_tv = serializers.BooleanField(required=False)
    allow_mobile_uploads = serializers.BooleanField(required=False)
    code = serializers.CharField(required=False, help_text="A code of your own (10-64 chars)")


class ServerLibrarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    server_id = serializers.IntegerField()


class MediaServerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    server_type = serializers.CharField()
    server_url = serializers.CharField()
    external_url = serializers.CharField(allow_null=True)
    verified = serializers.BooleanField()
    allow_downloads = serializers.BooleanField()
    allow_live_tv = serializers.BooleanField()
    allow_mobile_uploads = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class ExtendSerializer(serializers.Serializer):
    days = serializers.IntegerField(required=False, min_value=1, max_value=3650, default=30)

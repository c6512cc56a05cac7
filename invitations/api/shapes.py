"""Serializers that describe the reference endpoints' JSON to the schema; the shapes themselves
(`invitations.shapes`, Wizarr's field names) are re-exported here for the views."""

from __future__ import annotations

from rest_framework import serializers

from invitations.shapes import (
    created_invitation_json,
    invitation_json,
    library_json,
    server_json,
    user_json,
    when,
)

__all__ = [
    "created_invitation_json",
    "invitation_json",
    "library_json",
    "server_json",
    "user_json",
    "when",
]


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

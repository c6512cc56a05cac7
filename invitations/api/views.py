"""The reference endpoints (Wizarr): status, users, invitations, libraries, servers. Views
check the request's shape and call a service; the services decide everything else."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from invitations.api import shapes
from invitations.models import Invitation, MediaServer, MediaUser, ServerLibrary
from invitations.services import invites, users
from nomarr_site.errors import ValidationFailed

MESSAGE = inline_serializer("InvitationsMessage", {"message": serializers.CharField()})


def body_object(request: Request) -> Mapping[str, Any]:
    """The JSON body as an object ({} when there is none)."""
    data = request.data
    if data is None or (hasattr(data, "keys") and not data):
        return {}
    if not isinstance(data, Mapping):
        raise ValidationFailed("The request body must be a JSON object")
    return data


def query_flag(request: Request, name: str) -> bool:
    value = request.query_params.get(name, "false").strip().lower()
    if value not in ("true", "false", "1", "0"):
        raise ValidationFailed(f"{name} must be true or false", details={"field": name})
    return value in ("true", "1")


class StatusView(APIView):
    @extend_schema(
        responses=shapes.InvitationsStatusSerializer, summary="Counts of users and invitations"
    )
    def get(self, request):
        invitations = Invitation.objects.with_status()
        return Response(
            {
                "users": MediaUser.objects.count(),
                "invites": invitations.count(),
                "pending": invitations.filter(status="pending").count(),
                "expired": invitations.filter(status="expired").count(),
            }
        )


class UserListView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("search", str, description="Part of a name, e-mail or server")
        ],
        responses=inline_serializer(
            "MediaUserList",
            {"users": shapes.MediaUserSerializer(many=True), "count": serializers.IntegerField()},
        ),
        summary="Every account on every media server (one row per account per server)",
    )
    def get(self, request):
        found = [
            shapes.user_json(u) for u in users.search_users(request.query_params.get("search", ""))
        ]
        return Response({"users": found, "count": len(found)})


class UserDetailView(APIView):
    @extend_schema(
        request=None,
        parameters=[
            OpenApiParameter(
                "force",
                bool,
                description="Remove the row even when the server refuses to delete the account",
            )
        ],
        responses=MESSAGE,
        summary="Delete the account on its server, then here",
    )
    def delete(self, request, user_id: int):
        force = query_flag(request, "force")
        username, note = users.delete_user(user_id, force=force)
        return Response({"message": f"User {username} deleted successfully{note}"})


class UserExtendView(APIView):
    @extend_schema(
        request=shapes.ExtendSerializer,
        responses=inline_serializer(
            "UserExtended",
            {"message": serializers.CharField(), "new_expiry": serializers.DateTimeField()},
        ),
        summary="Extend an account's expiry, counted from the current expiry (or now)",
    )
    def post(self, request, user_id: int):
        days = body_object(request).get("days")
        user = users.extend_user(user_id, days)
        count = users.parse_days(days)
        return Response(
            {
                "message": f"User {user.username} expiry extended by {count} days",
                "new_expiry": shapes.when(user.expires),
            }
        )


class InvitationListView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "InvitationList",
            {
                "invitations": shapes.InvitationSerializer(many=True),
                "count": serializers.IntegerField(),
            },
        ),
        summary="Every invitation with its status and servers",
    )
    def get(self, request):
        found = [shapes.invitation_json(i) for i in invites.list_invitations()]
        return Response({"invitations": found, "count": len(found)})

    @extend_schema(
        request=shapes.CreateInvitationSerializer,
        responses={
            201: inline_serializer(
                "InvitationCreated",
                {
                    "message": serializers.CharField(),
                    "invitation": shapes.CreatedInvitationSerializer(),
                },
            )
        },
        summary="Create an invitation",
    )
    def post(self, request):
        invitation = invites.create_invitation(body_object(request))
        return Response(
            {
                "message": "Invitation created successfully",
                "invitation": shapes.created_invitation_json(invitation),
            },
            status=status.HTTP_201_CREATED,
        )


class InvitationDetailView(APIView):
    @extend_schema(request=None, responses=MESSAGE, summary="Delete an invitation")
    def delete(self, request, invitation_id: int):
        code = invites.delete_invitation(invitation_id)
        return Response({"message": f"Invitation {code} deleted successfully"})


class LibraryListView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "ServerLibraryList",
            {
                "libraries": shapes.ServerLibrarySerializer(many=True),
                "count": serializers.IntegerField(),
            },
        ),
        summary="Every library of every server (the ids `library_ids` takes)",
    )
    def get(self, request):
        found = [shapes.library_json(library) for library in ServerLibrary.objects.all()]
        return Response({"libraries": found, "count": len(found)})


class ServerListView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "MediaServerList",
            {
                "servers": shapes.MediaServerSerializer(many=True),
                "count": serializers.IntegerField(),
            },
        ),
        summary="The media servers (never their credentials)",
    )
    def get(self, request):
        found = [shapes.server_json(server) for server in MediaServer.objects.all()]
        return Response({"servers": found, "count": len(found)})

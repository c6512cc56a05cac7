"""Live events of `invitations` (room `invitations`): every change of an invitation, a media
user or a server, whoever made it (a page, the API, the join page, the `expire_users` job in a
worker), is announced through the typed senders of `nomarr_site.events.sender` with the object
as the API returns it (None once it is gone). Open pages re-read their rows when one arrives."""

from __future__ import annotations

from invitations.models import Invitation, MediaServer, MediaUser
from invitations.shapes import invitation_json, server_json, user_json
from nomarr_site.events.sender import (
    INVITATIONS_INVITATION,
    INVITATIONS_SERVER,
    INVITATIONS_USER,
)


def invitation_changed(action: str, pk: int) -> None:
    """`action` is created or redeemed; the invitation is read again with its status."""
    found = (
        Invitation.objects.with_status()
        .prefetch_related("servers", "libraries")
        .select_related("used_by")
        .filter(pk=pk)
        .first()
    )
    data = invitation_json(found) if found is not None else None
    INVITATIONS_INVITATION.send({"action": action, "id": pk, "invitation": data})


def invitation_deleted(pk: int) -> None:
    INVITATIONS_INVITATION.send({"action": "deleted", "id": pk, "invitation": None})


def user_changed(action: str, user: MediaUser) -> None:
    """`action` is created, extended or disabled."""
    INVITATIONS_USER.send({"action": action, "id": user.pk, "user": user_json(user)})


def user_deleted(pk: int) -> None:
    INVITATIONS_USER.send({"action": "deleted", "id": pk, "user": None})


def server_changed(action: str, pk: int) -> None:
    """`action` is added, verified or synced; the server is read again."""
    found = MediaServer.objects.filter(pk=pk).first()
    data = server_json(found) if found is not None else None
    INVITATIONS_SERVER.send({"action": action, "id": pk, "server": data})


def server_removed(pk: int) -> None:
    INVITATIONS_SERVER.send({"action": "removed", "id": pk, "server": None})

"""The JSON shapes of invitations' objects, as the reference API names their fields (Wizarr's:
`created` for users and invitations, `created_at` for servers), and the display-name rule.
The API answers and the live events (`invitations.services.notify`) both use them, so a page
reads one shape; no shape carries a server's credentials."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from invitations.models import Invitation, MediaServer, MediaUser, ServerLibrary
from nomarr_site import config
from nomarr_site.events.envelope import InvitationData, MediaServerData, MediaUserData
from nomarr_site.timefmt import utc_iso


@dataclass(frozen=True)
class DisplayName:
    display_name: str
    server_names: list[str]
    uses_global_setting: bool


def display_name(invitation: Invitation) -> DisplayName:
    """The global display-name setting when set, else the servers' names joined by ", "."""
    names = [server.name for server in invitation.servers.all()]
    chosen = str(config.get("invitation_display_name") or "").strip()
    if chosen:
        return DisplayName(chosen, names, True)
    return DisplayName(", ".join(names), names, False)


def specific_libraries(invitation: Invitation) -> list[int] | None:
    """The ids of the chosen libraries, or None when the invitation grants all of them."""
    ids = sorted(library.pk for library in invitation.libraries.all())
    return ids or None


def when(moment: datetime | None) -> str | None:
    return utc_iso(moment) if moment is not None else None


def user_json(user: MediaUser) -> MediaUserData:
    return {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "server": user.server.name,
        "server_type": user.server.server_type,
        "expires": when(user.expires),
        "created": when(user.created),
    }


def invitation_json(invitation: Invitation) -> InvitationData:
    """An item of GET /api/invitations (`invitation` comes from `with_status()`)."""
    name = display_name(invitation)
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
        "display_name": name.display_name,
        "server_names": name.server_names,
        "uses_global_setting": name.uses_global_setting,
    }


def created_invitation_json(invitation: Invitation) -> dict[str, Any]:
    """The `invitation` of POST /api/invitations' answer."""
    name = display_name(invitation)
    return {
        "id": invitation.pk,
        "code": invitation.code,
        "expires": when(invitation.expires),
        "duration": invitation.duration,
        "unlimited": invitation.unlimited,
        "display_name": name.display_name,
        "server_names": name.server_names,
        "uses_global_setting": name.uses_global_setting,
    }


def library_json(library: ServerLibrary) -> dict[str, Any]:
    return {"id": library.pk, "name": library.name, "server_id": library.server_id}


def server_json(server: MediaServer) -> MediaServerData:
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

"""Invitations: create (with every rule of the request checked here), find by code, list,
delete, and the display-name rule.

Rules: `expires_in_days` is 1, 7, 30 or null (never); anything else is refused, not read as
"never". `duration` is the account life after joining: "unlimited" or a whole number of days
(1–3650), as text. `unlimited` is the multi-use flag (default true, as the reference): a
multi-use invitation is never used up. `library_ids` choose libraries and so servers; left
out, the invitation grants every server with all of its libraries.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from invitations.models import Invitation, InvitationQuerySet, MediaServer, ServerLibrary
from invitations.services import codes, notify
from nomarr_site.domain import Conflict, Invalid, NotFound

EXPIRY_DAYS = (1, 7, 30)
MAX_DURATION_DAYS = 3650
MAX_ID = 2**63 - 1
FLAGS = ("allow_downloads", "allow_live_tv", "allow_mobile_uploads")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_expires_in_days(value: Any) -> int | None:
    if value is None:
        return None
    if not _is_int(value) or value not in EXPIRY_DAYS:
        raise Invalid("expires_in_days must be 1, 7, 30 or null (never)", field="expires_in_days")
    return int(value)


def parse_duration(value: Any) -> str:
    """'unlimited' or a whole number of days as text; an integer is taken as its text."""
    if _is_int(value):
        value = str(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text == "unlimited":
            return text
        if text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_DURATION_DAYS:
            return str(int(text))
    raise Invalid(
        f'duration must be "unlimited" or a whole number of days from 1 to {MAX_DURATION_DAYS}',
        field="duration",
    )


def parse_flag(data: Mapping[str, Any], name: str, default: bool) -> bool:
    value = data.get(name, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise Invalid(f"{name} must be true or false", field=name)
    return value


def parse_libraries(value: Any) -> list[ServerLibrary] | None:
    """The chosen libraries, or None for every server's libraries."""
    if value is None:
        return None
    if not isinstance(value, list) or not all(_is_int(item) for item in value):
        raise Invalid("library_ids must be a list of library ids", field="library_ids")
    if not value:
        raise Invalid(
            "library_ids is empty: choose at least one library, or leave it out for all",
            field="library_ids",
        )
    wanted = set(value)
    found = list(ServerLibrary.objects.filter(pk__in=[i for i in wanted if 0 < i <= MAX_ID]))
    missing = sorted(wanted - {library.pk for library in found})
    if missing:
        shown = ", ".join(str(i) for i in missing[:10])
        raise Invalid(f"No library has the id {shown}", field="library_ids")
    return found


def create_invitation(data: Mapping[str, Any]) -> Invitation:
    """A new invitation from a request's values (see the module's rules)."""
    if not isinstance(data, Mapping):
        raise Invalid("The request must be a JSON object")
    days = parse_expires_in_days(data.get("expires_in_days"))
    duration = parse_duration(data.get("duration", "unlimited"))
    unlimited = parse_flag(data, "unlimited", True)
    flags = {name: parse_flag(data, name, False) for name in FLAGS}
    libraries = parse_libraries(data.get("library_ids"))
    if libraries is None:
        servers = list(MediaServer.objects.all())
    else:
        servers = list(MediaServer.objects.filter(libraries__in=libraries).distinct())
    if not servers:
        raise Invalid("Add a media server before creating invitations")

    def taken(code: str) -> bool:
        return Invitation.objects.filter(code=code).exists()

    code = codes.unique_code(taken, data.get("code"))
    expires = timezone.now() + timedelta(days=days) if days else None
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                code=code, expires=expires, duration=duration, unlimited=unlimited, **flags
            )
            invitation.servers.set(servers)
            if libraries is not None:
                invitation.libraries.set(libraries)
    except IntegrityError:
        raise Conflict("An invitation with this code already exists", field="code") from None
    notify.invitation_changed("created", invitation.pk)
    return get_invitation(invitation.pk)


def with_relations() -> InvitationQuerySet:
    return Invitation.objects.with_status().prefetch_related("servers", "libraries")


def get_invitation(pk: int) -> Invitation:
    invitation: Invitation | None = with_relations().select_related("used_by").filter(pk=pk).first()
    if invitation is None:
        raise NotFound("Invitation not found")
    return invitation


def find_by_code(code: str) -> Invitation | None:
    """The invitation with `code` (any case), with its status; None when there is none."""
    value = codes.normalise(code or "")
    if not value or len(value) > codes.MAX_LENGTH:
        return None
    found: Invitation | None = with_relations().filter(code=value).first()
    return found


def list_invitations() -> InvitationQuerySet:
    return with_relations().select_related("used_by")


def delete_invitation(pk: int) -> str:
    """Remove the invitation (accounts made with it stay); returns its code."""
    invitation: Invitation | None = Invitation.objects.filter(pk=pk).first()
    if invitation is None:
        raise NotFound("Invitation not found")
    code = str(invitation.code)
    invitation.delete()
    notify.invitation_deleted(pk)
    return code

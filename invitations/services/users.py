"""Accounts on media servers (`MediaUser`): search, extend, delete, and expiry.

Expiry disables an account where the server can (`can_disable`) and the setting
`expired_user_action` says "disable", and deletes it otherwise; each action leaves an
`ExpiryAction` audit row, and one account that fails does not stop the others.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from invitations import crypto
from invitations.clients import client_for
from invitations.clients.base import ClientError, MediaServerClient
from invitations.models import ExpiryAction, MediaUser
from invitations.services import notify
from nomarr_site import config
from nomarr_site.domain import Conflict, Invalid, NotFound

logger = logging.getLogger(__name__)

DEFAULT_EXTEND_DAYS = 30
MAX_EXTEND_DAYS = 3650


@dataclass
class ExpirySummary:
    disabled: int = 0
    deleted: int = 0
    failures: list[str] = field(default_factory=list)


def search_users(text: str = "") -> QuerySet[MediaUser]:
    users = MediaUser.objects.select_related("server")
    text = (text or "").strip()[:200]
    if text:
        users = users.filter(
            Q(username__icontains=text) | Q(email__icontains=text) | Q(server__name__icontains=text)
        )
    return users.order_by("username", "id")


def get_user(pk: int) -> MediaUser:
    user: MediaUser | None = MediaUser.objects.select_related("server").filter(pk=pk).first()
    if user is None:
        raise NotFound("User not found")
    return user


def parse_days(value: Any) -> int:
    if value is None:
        return DEFAULT_EXTEND_DAYS
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_EXTEND_DAYS:
        raise Invalid(f"days must be a whole number from 1 to {MAX_EXTEND_DAYS}", field="days")
    return int(value)


def extend_user(pk: int, days: Any) -> MediaUser:
    """Push the expiry `days` further, counted from the current expiry (now when it has none)."""
    count = parse_days(days)
    user = get_user(pk)
    user.expires = (user.expires or timezone.now()) + timedelta(days=count)
    user.save(update_fields=["expires"])
    notify.user_changed("extended", user)
    return user


def _client(user: MediaUser) -> MediaServerClient:
    return client_for(user.server.connection())


def delete_user(pk: int, force: bool = False) -> tuple[str, str]:
    """Remove the account from its server, then the row; returns (username, note).

    When the server refuses, the row stays and Conflict says why, unless `force`: then the
    row goes and the note says the account may remain on the server."""
    user = get_user(pk)
    username, note = user.username, ""
    try:
        _client(user).delete_account(user.remote_id)
    except (ClientError, crypto.CredentialsUnreadable) as exc:
        _audit(user, ExpiryAction.Action.DELETE, False, str(exc))
        if not force:
            raise Conflict(
                f"User {username} was not deleted: {user.server.name} refused: {exc}",
                details={"server": user.server.name},
            ) from None
        note = f"; {user.server.name} refused to remove the account, which may remain there"
    else:
        _audit(user, ExpiryAction.Action.DELETE, True, "deleted by a person")
    pk = user.pk
    user.delete()
    notify.user_deleted(pk)
    return username, note


def _audit(user: MediaUser, action: str, succeeded: bool, message: str) -> None:
    ExpiryAction.objects.create(
        user=user,
        username=user.username,
        server_name=user.server.name,
        action=action,
        succeeded=succeeded,
        message=message[:2000],
    )


def expire_one(user: MediaUser, action: str) -> str:
    """Disable or delete one expired account; returns what was done. A failure is audited
    and raised."""
    client = _client(user)
    disable = action == "disable" and client.can_disable
    planned = ExpiryAction.Action.DISABLE if disable else ExpiryAction.Action.DELETE
    try:
        if disable:
            client.disable_account(user.remote_id)
        else:
            client.delete_account(user.remote_id)
    except ClientError as exc:
        _audit(user, planned, False, str(exc))
        raise
    _audit(user, planned, True, "expired")
    if disable:
        MediaUser.objects.filter(pk=user.pk).update(disabled=True)
        user.disabled = True
        notify.user_changed("disabled", user)
        return "disabled"
    pk = user.pk
    user.delete()
    notify.user_deleted(pk)
    return "deleted"


def expire_users(now: datetime | None = None) -> ExpirySummary:
    """Handle every account whose expiry passed; failures are audited and counted."""
    action = str(config.get("expired_user_action"))
    summary = ExpirySummary()
    for user in MediaUser.objects.due(now).select_related("server").order_by("id"):
        try:
            done = expire_one(user, action)
        except (ClientError, crypto.CredentialsUnreadable) as exc:
            if isinstance(exc, crypto.CredentialsUnreadable):
                _audit(user, ExpiryAction.Action(action), False, str(exc))
            logger.warning("Expiry of user %s (server %s) failed: %s", user.pk, user.server_id, exc)
            summary.failures.append(f"{user.username} on {user.server.name}: {exc}")
            continue
        if done == "disabled":
            summary.disabled += 1
        else:
            summary.deleted += 1
    return summary

"""Signing an invitee in with Plex on the join page (the PIN flow of `clients.plex_pin`).

The PIN plex.tv made is kept in the visitor's own session, keyed by the invitation's code, and
is never taken from the client: the page (or its poll) only asks "did the PIN of my session get
approved?". Once it did, the invitee's plex.tv token is used once to read their account and
dropped; the session keeps the account's user name and e-mail, and that e-mail is the address
Plex shares with. plex.tv is asked about one PIN at most every `CHECK_SECONDS`, however often a
page polls.
"""

from __future__ import annotations

import logging
import time
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from invitations.clients import plex_pin
from invitations.clients.base import ClientError
from invitations.models import Invitation
from nomarr_site.domain import Invalid, Unprocessable

logger = logging.getLogger(__name__)

SESSION_KEY = "invitations.plex_signin"
CHECK_SECONDS = 2.0
#: Sign-ins one visitor's session keeps at once (one per invitation code).
MAX_ENTRIES = 5

Session = MutableMapping[str, Any]


class PlexUnavailable(Unprocessable):
    """plex.tv could not be asked (unreachable, an error, an answer Nomarr cannot read)."""


@dataclass(frozen=True)
class SignIn:
    """Where the visitor's Plex sign-in for one invitation stands: `none` (not started),
    `waiting` (PIN not approved yet), `signed_in` (with the account's name and e-mail),
    `expired` (plex.tv forgot the PIN; start again)."""

    state: str
    username: str = ""
    email: str = ""


def grants_plex(invitation: Invitation) -> bool:
    return any(server.server_type == "plex" for server in invitation.servers.all())


def _entries(session: Session) -> dict[str, dict[str, Any]]:
    value = session.get(SESSION_KEY)
    return dict(value) if isinstance(value, dict) else {}


def _save(session: Session, code: str, entry: dict[str, Any] | None) -> None:
    entries = _entries(session)
    entries.pop(code, None)
    if entry is not None:
        entries[code] = entry
        while len(entries) > MAX_ENTRIES:  # the oldest first (dicts keep insertion order)
            entries.pop(next(iter(entries)))
    session[SESSION_KEY] = entries


def start(session: Session, invitation: Invitation, forward_url: str) -> str:
    """Ask plex.tv for a new PIN, remember it in `session`, and return the app.plex.tv URL
    where the invitee approves it (plex.tv then sends them back to `forward_url`)."""
    if not grants_plex(invitation):
        raise Invalid("This invitation grants no Plex server")
    try:
        pin = plex_pin.start_pin(forward_url=forward_url)
    except ClientError as exc:
        logger.warning("Plex sign-in: could not start a PIN: %s", exc)
        raise PlexUnavailable("Plex could not be reached; try again in a moment") from None
    _save(session, str(invitation.code), {"pin_id": pin.pin_id, "checked": 0.0})
    return pin.auth_url


def forget(session: Session, invitation: Invitation) -> None:
    if str(invitation.code) in _entries(session):
        _save(session, str(invitation.code), None)


def status(session: Session, invitation: Invitation) -> SignIn:
    """The sign-in of this session for `invitation`, asking plex.tv when a PIN is waiting."""
    code = str(invitation.code)
    entry = _entries(session).get(code)
    if not entry:
        return SignIn("none")
    if entry.get("email"):
        return SignIn("signed_in", str(entry.get("username", "")), str(entry["email"]))
    if time.time() - float(entry.get("checked") or 0) < CHECK_SECONDS:
        return SignIn("waiting")
    _save(session, code, {**entry, "checked": time.time()})
    try:
        token = plex_pin.pin_token(int(entry["pin_id"]))
        if token is None:
            return SignIn("waiting")
        account = plex_pin.plex_account(token)
    except ClientError as exc:
        if exc.kind == "not_found":
            _save(session, code, None)
            return SignIn("expired")
        logger.warning("Plex sign-in: could not read the PIN: %s", exc)
        raise PlexUnavailable("Plex could not be reached; try again in a moment") from None
    if not account.email:
        _save(session, code, None)
        raise PlexUnavailable("Your Plex account has no e-mail address to share with")
    _save(session, code, {"username": account.username, "email": account.email})
    logger.info("Plex sign-in for invitation %s completed", invitation.pk)
    return SignIn("signed_in", account.username, account.email)

"""Signing an invitee in with Plex (the PIN flow) so a Plex invitation can be shared with their
own Plex account: `start_pin` asks plex.tv for a PIN and gives the app.plex.tv URL the invitee
opens; `pin_token` polls until they approved; `plex_account` reads who they are (the email the
share goes to). The invitee's token is a secret: used once here, never logged or stored."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from invitations.clients import plex
from invitations.clients.base import DEFAULT_TIMEOUT, ClientError
from invitations.clients.http import HttpSession

APP_AUTH_URL = "https://app.plex.tv/auth"


@dataclass(frozen=True)
class PlexPin:
    """A PIN plex.tv made: poll it by `pin_id`; send the invitee to `auth_url`."""

    pin_id: int
    code: str
    auth_url: str


@dataclass(frozen=True)
class PlexAccount:
    """The Plex account an invitee signed in with."""

    uuid: str
    username: str
    email: str


def session(token: str = "", timeout: float = DEFAULT_TIMEOUT) -> HttpSession:
    headers = dict(plex.CLIENT_HEADERS)
    if token:
        headers["X-Plex-Token"] = token
    return HttpSession(
        "plex.tv", plex.PLEX_TV_URL, timeout=timeout, headers=headers, secrets=[token]
    )


def start_pin(forward_url: str = "", timeout: float = DEFAULT_TIMEOUT) -> PlexPin:
    """A new strong PIN and the URL where the invitee approves it (then returns to
    `forward_url`, when given)."""
    tv = session(timeout=timeout)
    data = tv.json("POST", "/api/v2/pins", params={"strong": "true"})
    pin_id, code = tv.field(data, "id", int), tv.field(data, "code")
    query = {
        "clientID": plex.CLIENT_HEADERS["X-Plex-Client-Identifier"],
        "code": code,
        "context[device][product]": plex.CLIENT_HEADERS["X-Plex-Product"],
    }
    if forward_url:
        query["forwardUrl"] = forward_url
    return PlexPin(pin_id=pin_id, code=code, auth_url=f"{APP_AUTH_URL}#?{urlencode(query)}")


def pin_token(pin_id: int, timeout: float = DEFAULT_TIMEOUT) -> str | None:
    """The invitee's token once they approved the PIN, None while they have not. An expired
    or unknown PIN is a `not_found` ClientError."""
    tv = session(timeout=timeout)
    data = tv.json("GET", f"/api/v2/pins/{int(pin_id)}")
    if not isinstance(data, dict):
        raise tv.malformed("no PIN")
    token = data.get("authToken")
    if token is None or token == "":
        return None
    if not isinstance(token, str):
        raise tv.malformed("an authToken that is not text")
    return token


def plex_account(token: str, timeout: float = DEFAULT_TIMEOUT) -> PlexAccount:
    """Who holds `token`: their Plex uuid, username and email."""
    if not token:
        raise ClientError("plex.tv: no Plex sign-in to read", kind="auth")
    tv = session(token, timeout)
    data = tv.json("GET", "/api/v2/user")
    return PlexAccount(
        uuid=tv.field(data, "uuid"),
        username=tv.field(data, "username"),
        email=tv.field(data, "email"),
    )

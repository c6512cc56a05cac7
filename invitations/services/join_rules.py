"""What an invitee may choose on the join page: the user name, password and e-mail rules of
every server the invitation grants, checked before any server is asked."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from invitations.models import MediaServer
from nomarr_site.domain import Invalid

# Every server accepts these: letters, digits, '.', '_' and '-', starting with a letter or
# digit (Jellyfin and Emby allow more, Navidrome and Audiobookshelf less).
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,31}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 128
#: Types that need the invitee's e-mail (Plex shares with a plex.tv account's address).
EMAIL_TYPES = frozenset({"plex"})


@dataclass(frozen=True)
class JoinRequest:
    username: str
    password: str = ""
    email: str = ""

    def __repr__(self) -> str:  # never show the password in a log line or traceback
        return f"JoinRequest(username={self.username!r}, email={self.email!r})"


def rules(servers: Iterable[MediaServer]) -> dict[str, Any]:
    """The rules, for the join page to show."""
    return {
        "username": "2 to 32 letters, digits, '.', '_' or '-', starting with a letter or digit",
        "password": f"{MIN_PASSWORD} to {MAX_PASSWORD} characters",
        "email_required": any(server.server_type in EMAIL_TYPES for server in servers),
    }


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid(f"{name} must be text", field=name)
    return value


def validate_join(data: Mapping[str, Any], servers: Iterable[MediaServer]) -> JoinRequest:
    servers = list(servers)
    username = _text(data, "username").strip()
    if not USERNAME.match(username):
        raise Invalid(f"The user name must be {rules(servers)['username']}", field="username")
    password = _text(data, "password")
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise Invalid(
            f"The password must be {MIN_PASSWORD} to {MAX_PASSWORD} characters long",
            field="password",
        )
    email = _text(data, "email").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Invalid("The e-mail address is not valid", field="email") from None
    elif rules(servers)["email_required"]:
        raise Invalid(
            "An e-mail address is needed: Plex shares its libraries with your Plex account's "
            "address",
            field="email",
        )
    return JoinRequest(username=username, password=password, email=email)

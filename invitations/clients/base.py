"""The one interface every media-server client speaks (Jellyfin, Emby, Navidrome,
Audiobookshelf, Plex), so invitations, redemption and user expiry never branch on a server type.

A client is built from plain values (`ServerConnection`), never from a model, so this package
imports nothing from the rest of the app; `invitations.clients.client_for` picks the class by
`server_type`. Every failure is a `ClientError` whose `reason` a person can act on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

#: Seconds to wait for a media server before giving up (connect and read).
DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True)
class ServerConnection:
    """What a client needs to reach one server. `token` is the API key or token; `username`
    and `password` are for servers that log in (Navidrome). Never logged, never returned."""

    server_type: str
    url: str
    token: str = ""
    username: str = ""
    password: str = ""
    timeout: float = DEFAULT_TIMEOUT


@dataclass(frozen=True)
class ServerIdentity:
    """What `verify` learned: the server's own name, version and (Plex) machine id."""

    name: str
    version: str = ""
    machine_id: str = ""


@dataclass(frozen=True)
class RemoteLibrary:
    """One library as the server names it; `external_id` is what the server's own API takes
    when granting access (Emby: the Guid, Jellyfin: the item Id, Plex: the section key)."""

    external_id: str
    name: str


@dataclass(frozen=True)
class AccountRequest:
    """One account to create. `library_ids` are external ids; an empty tuple means every
    library of the server."""

    username: str
    password: str
    email: str = ""
    library_ids: tuple[str, ...] = ()
    allow_downloads: bool = False
    allow_live_tv: bool = False
    allow_mobile_uploads: bool = False


@dataclass(frozen=True)
class RemoteAccount:
    """An account the server made: its id on that server and the name it kept."""

    remote_id: str
    username: str


@dataclass
class ClientError(Exception):
    """A request to a media server failed. `reason` is one sentence for people
    ("Jellyfin at http://…: the API key was refused (401)"); `status` is the HTTP status when
    there was one; `kind` is one of `unreachable`, `tls`, `auth`, `not_found`, `wrong_type`,
    `refused`, `malformed`, `timeout`."""

    reason: str
    kind: str = "refused"
    status: int | None = None
    details: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return self.reason


class MediaServerClient(Protocol):
    """The operations Nomarr needs from a media server. Implementations raise `ClientError`."""

    server_type: str
    #: False where the server cannot disable an account (Navidrome): expiry then deletes.
    can_disable: bool

    def verify(self) -> ServerIdentity:
        """Check that the URL is this type of server and that the credential works."""

    def libraries(self) -> list[RemoteLibrary]:
        """The server's libraries (music, films, shows, books)."""

    def create_account(self, request: AccountRequest) -> RemoteAccount:
        """Create the account with its password, libraries and flags set. A failure after the
        account exists deletes it again before raising, so no orphan is left."""

    def disable_account(self, remote_id: str) -> None:
        """Stop the account from signing in (raises ClientError where `can_disable` is False)."""

    def delete_account(self, remote_id: str) -> None:
        """Remove the account. An account the server no longer has counts as deleted."""

"""Clients for the media servers Nomarr invites people to: `client_for` picks the class for a
server type; `base` holds the one interface they all speak."""

from __future__ import annotations

from invitations.clients.audiobookshelf import AudiobookshelfClient
from invitations.clients.base import ClientError, MediaServerClient, ServerConnection
from invitations.clients.emby import EmbyClient
from invitations.clients.jellyfin import JellyfinClient
from invitations.clients.navidrome import NavidromeClient
from invitations.clients.plex import PlexClient

#: The server types Nomarr speaks to, in the order forms list them.
SERVER_TYPES = ("jellyfin", "emby", "plex", "navidrome", "audiobookshelf")

#: server_type → client class (each module adds its own line here).
CLIENT_CLASSES: dict[str, type] = {
    "jellyfin": JellyfinClient,
    "emby": EmbyClient,
    "navidrome": NavidromeClient,
    "audiobookshelf": AudiobookshelfClient,
    "plex": PlexClient,
}


def client_for(connection: ServerConnection) -> MediaServerClient:
    """The client for `connection.server_type`; an unknown type is a ClientError."""
    cls = CLIENT_CLASSES.get(connection.server_type)
    if cls is None:
        raise ClientError(
            f"Nomarr cannot talk to a server of type '{connection.server_type}'",
            kind="wrong_type",
        )
    client: MediaServerClient = cls(connection)
    return client

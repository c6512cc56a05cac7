"""Media servers: add one (credentials encrypted at once), verify it, import its libraries,
remove it. Servers are reached only through `invitations.clients.client_for`."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction

from invitations import crypto
from invitations.clients import SERVER_TYPES, client_for
from invitations.clients.base import ClientError, MediaServerClient, ServerIdentity
from invitations.models import MediaServer, ServerLibrary
from invitations.services import notify
from nomarr_site.domain import Conflict, Invalid, NotFound, Unprocessable

logger = logging.getLogger(__name__)

#: Types that sign in with an admin name and password instead of a token.
PASSWORD_TYPES = frozenset({"navidrome"})
FLAGS = ("allow_downloads", "allow_live_tv", "allow_mobile_uploads")


def _text(data: Mapping[str, Any], name: str, max_length: int, required: bool = True) -> str:
    value = data.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(f"{name} must be text", field=name)
    value = value.strip()
    if required and not value:
        raise Invalid(f"{name} is required", field=name)
    if len(value) > max_length:
        raise Invalid(f"{name} must be at most {max_length} characters", field=name)
    return value


def parse_url(value: str, name: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid(f"{name} must be an http:// or https:// address", field=name)
    return value.rstrip("/")


def add_server(data: Mapping[str, Any]) -> MediaServer:
    """A new server from a form's values; it is not verified yet."""
    name = _text(data, "name", 200)
    server_type = _text(data, "server_type", 20)
    if server_type not in SERVER_TYPES:
        raise Invalid(f"server_type must be one of {', '.join(SERVER_TYPES)}", field="server_type")
    server_url = parse_url(_text(data, "server_url", 500), "server_url")
    external = _text(data, "external_url", 500, required=False)
    external_url = parse_url(external, "external_url") if external else ""
    token = _text(data, "token", 2000, required=server_type not in PASSWORD_TYPES)
    username = _text(data, "username", 200, required=server_type in PASSWORD_TYPES)
    password = _text(data, "password", 2000, required=server_type in PASSWORD_TYPES)
    flags = {}
    for flag in FLAGS:
        value = data.get(flag, False)
        if not isinstance(value, bool):
            raise Invalid(f"{flag} must be true or false", field=flag)
        flags[flag] = value
    server = MediaServer(
        name=name,
        server_type=server_type,
        server_url=server_url,
        external_url=external_url,
        **flags,
    )
    server.set_credentials(token=token, username=username, password=password)
    try:
        with transaction.atomic():
            server.save()
    except IntegrityError:
        raise Conflict(f"A server named '{name}' already exists", field="name") from None
    logger.info("Media server %s (%s) added", server.pk, server.server_type)
    notify.server_changed("added", server.pk)
    return server


def get_server(pk: int) -> MediaServer:
    server = MediaServer.objects.filter(pk=pk).first()
    if server is None:
        raise NotFound("Server not found")
    return server


def client_of(server: MediaServer) -> MediaServerClient:
    """The client for `server`; unreadable credentials or an unknown type are Unprocessable."""
    try:
        return client_for(server.connection())
    except crypto.CredentialsUnreadable as exc:
        raise Unprocessable(str(exc)) from None
    except ClientError as exc:
        raise Unprocessable(exc.reason) from None


def verify_server(pk: int) -> ServerIdentity:
    """Check the server answers as its type with its credentials; records `verified`."""
    server = get_server(pk)
    client = client_of(server)
    try:
        identity = client.verify()
    except ClientError as exc:
        MediaServer.objects.filter(pk=server.pk).update(verified=False)
        notify.server_changed("verified", server.pk)
        logger.warning("Media server %s did not verify: %s", server.pk, exc.kind)
        raise Unprocessable(exc.reason, details={"kind": exc.kind}) from None
    MediaServer.objects.filter(pk=server.pk).update(verified=True)
    notify.server_changed("verified", server.pk)
    return identity


def sync_libraries(pk: int) -> list[ServerLibrary]:
    """Import the server's libraries: new ones added, renamed ones renamed, gone ones removed."""
    server = get_server(pk)
    client = client_of(server)
    try:
        remote = client.libraries()
    except ClientError as exc:
        raise Unprocessable(exc.reason, details={"kind": exc.kind}) from None
    seen = {library.external_id: library.name for library in remote}
    with transaction.atomic():
        server.libraries.exclude(external_id__in=list(seen)).delete()
        for external_id, name in seen.items():
            ServerLibrary.objects.update_or_create(
                server=server, external_id=external_id[:200], defaults={"name": name[:300]}
            )
    notify.server_changed("synced", server.pk)
    return list(server.libraries.all())


def delete_server(pk: int) -> str:
    """Forget the server, its libraries and its users' rows (their accounts stay on it)."""
    server = get_server(pk)
    name, pk = server.name, server.pk
    server.delete()
    notify.server_removed(pk)
    return name

"""Plex: the owner's token (`X-Plex-Token`) reads the server (`/identity`, `/`,
`/library/sections`) and shares it through plex.tv (`POST /api/servers/{machineId}/shared_servers`
with plex.tv's section ids and the invitee's email; `DELETE …/shared_servers/{id}` removes it).

Plex has no local accounts: "creating an account" shares the server with `AccountRequest.email`
(the invitee accepts with their own Plex account; username and password are not used) and the
remote id is the share's id. Plex cannot disable a share, so expiry removes it."""

from __future__ import annotations

import functools
import logging
from typing import Any
from xml.etree.ElementTree import Element

from invitations.clients.base import (
    AccountRequest,
    ClientError,
    RemoteAccount,
    RemoteLibrary,
    ServerConnection,
    ServerIdentity,
)
from invitations.clients.http import HttpSession, delete_remote

logger = logging.getLogger(__name__)

#: plex.tv's base URL, read when a client is made (tests point it at a loopback server).
PLEX_TV_URL = "https://plex.tv"
CLIENT_HEADERS = {"X-Plex-Product": "Nomarr", "X-Plex-Client-Identifier": "nomarr-invitations"}


def flag(value: bool) -> str:
    return "1" if value else "0"


class PlexClient:
    """A Plex Media Server and its owner's plex.tv account, reached with the owner's token."""

    server_type = "plex"
    can_disable = False

    def __init__(self, connection: ServerConnection) -> None:
        self.connection = connection
        headers = {**CLIENT_HEADERS, "X-Plex-Token": connection.token}
        secrets = (connection.token, connection.password)
        self.http = HttpSession(
            "Plex", connection.url, timeout=connection.timeout, headers=headers, secrets=secrets
        )
        self.tv = HttpSession(
            "plex.tv",
            PLEX_TV_URL,
            timeout=connection.timeout,
            headers={**headers, "Accept": "application/xml"},
            secrets=secrets,
        )

    def container(self, path: str) -> dict[str, Any]:
        data = self.http.json("GET", path)
        container: dict[str, Any] = self.http.field(data, "MediaContainer", dict)
        return container

    def machine_id(self) -> tuple[str, str]:
        """The server's machineIdentifier and version from `/identity` (no token needed)."""
        wrong = self.http.error("this server does not answer as Plex does", "wrong_type")
        try:
            identity = self.container("/identity")
        except ClientError as exc:
            if exc.kind in ("not_found", "malformed"):
                raise wrong from exc
            raise
        machine_id = identity.get("machineIdentifier")
        if not isinstance(machine_id, str) or not machine_id:
            raise wrong
        return machine_id, str(identity.get("version", ""))

    def verify(self) -> ServerIdentity:
        machine_id, version = self.machine_id()
        root = self.container("/")
        name = str(root.get("friendlyName") or "Plex")
        self.tv_sections(machine_id)  # the token's plex.tv account must own this server
        return ServerIdentity(name=name, version=version, machine_id=machine_id)

    def libraries(self) -> list[RemoteLibrary]:
        directories = self.container("/library/sections").get("Directory", [])
        if not isinstance(directories, list):
            raise self.http.malformed("no Directory list")
        return [
            RemoteLibrary(str(self.http.field(item, "key")), self.http.field(item, "title"))
            for item in directories
        ]

    def tv_sections(self, machine_id: str) -> dict[str, int]:
        """plex.tv's section id for each of the server's section keys (sharing takes these)."""
        try:
            root = self.tv.xml("GET", f"/api/servers/{machine_id}")
        except ClientError as exc:
            if exc.kind == "not_found":
                raise self.tv.error(
                    "the token's Plex account does not own this server", "auth", 404
                ) from exc
            raise
        sections = {}
        for section in root.iter("Section"):
            key, section_id = section.get("key"), section.get("id")
            if not key or not (section_id or "").isdigit():
                raise self.tv.malformed("a section without its key or id")
            sections[key] = int(section_id or 0)
        return sections

    def create_account(self, request: AccountRequest) -> RemoteAccount:
        if not request.email:
            raise self.http.error("Plex shares by email and the invitee gave none", "refused")
        machine_id, _version = self.machine_id()
        body = {
            "server_id": machine_id,
            "shared_server": {
                "library_section_ids": self.section_ids(machine_id, request.library_ids),
                "invited_email": request.email,
            },
            "sharing_settings": {
                "allowSync": flag(request.allow_downloads),
                "allowCameraUpload": flag(request.allow_mobile_uploads),
                "allowTuners": flag(request.allow_live_tv),
                "allowChannels": "0",
            },
        }
        path = f"/api/servers/{machine_id}/shared_servers"
        root = self.tv.xml("POST", path, json_body=body)
        share = root.find("SharedServer")
        share_id = share.get("id") if share is not None else None
        if share is None or not share_id:
            self.remove_share_for(machine_id, request.email)
            raise self.tv.malformed("no SharedServer id")
        logger.info("%s: shared the server with an invitee", self.http.where)
        return RemoteAccount(remote_id=share_id, username=share_username(share, request.email))

    def section_ids(self, machine_id: str, keys: tuple[str, ...]) -> list[int]:
        sections = self.tv_sections(machine_id)
        if not keys:
            return sorted(sections.values())
        missing = sorted(set(keys) - set(sections))
        if missing:
            raise self.http.error(
                f"it has no library with the id {', '.join(missing)} (sync the libraries)",
                "not_found",
            )
        return [sections[key] for key in keys]

    def remove_share_for(self, machine_id: str, email: str) -> None:
        """After an answer we could not read, find the share by email and remove it."""
        try:
            root = self.tv.xml("GET", f"/api/servers/{machine_id}/shared_servers")
            for share in root.iter("SharedServer"):
                if (share.get("email") or "").lower() == email.lower() and share.get("id"):
                    self.delete_share(machine_id, str(share.get("id")))
        except ClientError as exc:
            logger.warning("%s: could not remove a half-made share: %s", self.tv.where, exc)

    def disable_account(self, remote_id: str) -> None:
        raise self.http.error("Plex cannot disable a share; remove it instead", "refused")

    def delete_account(self, remote_id: str) -> None:
        machine_id, _version = self.machine_id()
        self.delete_share(machine_id, remote_id)

    def delete_share(self, machine_id: str, share_id: str) -> None:
        path = f"/api/servers/{machine_id}/shared_servers/{share_id}"
        delete_remote(
            self.tv, functools.partial(self.tv.request, "DELETE", path), f"the share {share_id}"
        )


def share_username(share: Element, email: str) -> str:
    """The Plex username once the invitee has one, else the invited email."""
    return share.get("username") or share.get("email") or email

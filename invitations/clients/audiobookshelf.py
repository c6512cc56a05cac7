"""Audiobookshelf: an admin's API token as `Authorization: Bearer …`; libraries from
`GET /api/libraries`; `POST /api/users` creates the account, `PATCH /api/users/{id}` sets its
libraries (`librariesAccessible`), permissions and `isActive`; `DELETE /api/users/{id}`."""

from __future__ import annotations

import functools
import logging
from typing import Any

from invitations.clients.base import (
    AccountRequest,
    ClientError,
    RemoteAccount,
    RemoteLibrary,
    ServerConnection,
    ServerIdentity,
)
from invitations.clients.http import HttpSession, delete_remote, undo_account

logger = logging.getLogger(__name__)

ADMIN_TYPES = ("root", "admin")


class AudiobookshelfClient:
    """An Audiobookshelf server reached with an administrator's API token."""

    server_type = "audiobookshelf"
    can_disable = True

    def __init__(self, connection: ServerConnection) -> None:
        self.http = HttpSession(
            "Audiobookshelf",
            connection.url,
            timeout=connection.timeout,
            headers={"Authorization": f"Bearer {connection.token}"},
            secrets=(connection.token, connection.password),
        )

    def verify(self) -> ServerIdentity:
        wrong = self.http.error("this server does not answer as Audiobookshelf does", "wrong_type")
        try:
            status = self.http.json("GET", "/status")
        except ClientError as exc:
            if exc.kind in ("not_found", "malformed"):
                raise wrong from exc
            raise
        if not isinstance(status, dict) or status.get("app") != "audiobookshelf":
            raise wrong
        me = self.http.json("GET", "/api/me")
        if self.http.field(me, "type") not in ADMIN_TYPES:
            raise self.http.error("the token's user is not an administrator", "auth", 403)
        return ServerIdentity(name="Audiobookshelf", version=str(status.get("serverVersion", "")))

    def libraries(self) -> list[RemoteLibrary]:
        data = self.http.json("GET", "/api/libraries")
        return [
            RemoteLibrary(self.http.field(item, "id"), self.http.field(item, "name"))
            for item in self.http.field(data, "libraries", list)
        ]

    def create_account(self, request: AccountRequest) -> RemoteAccount:
        self.http.hide(request.password)
        self.check_library_ids(request.library_ids)
        body = {
            "username": request.username,
            "email": request.email or None,
            "password": request.password,
            "type": "user",
            "isActive": True,
        }
        created = self.http.json("POST", "/api/users", json_body=body)
        remote_id: str = self.http.field(self.http.field(created, "user", dict), "id")
        try:
            self.update(remote_id, self.access(request))
        except ClientError:
            undo_account(self.http, self.delete_account, remote_id)
            raise
        logger.info("%s: created the account %s", self.http.where, request.username)
        return RemoteAccount(remote_id=remote_id, username=request.username)

    def access(self, request: AccountRequest) -> dict[str, Any]:
        """The libraries, permissions and active flag an invitation grants."""
        return {
            "isActive": True,
            "librariesAccessible": list(request.library_ids),
            "permissions": {
                "download": request.allow_downloads,
                "update": False,
                "delete": False,
                "upload": request.allow_mobile_uploads,
                "accessAllLibraries": not request.library_ids,
                "accessAllTags": True,
                "accessExplicitContent": True,
            },
        }

    def check_library_ids(self, library_ids: tuple[str, ...]) -> None:
        if not library_ids:
            return
        missing = sorted(set(library_ids) - {lib.external_id for lib in self.libraries()})
        if missing:
            raise self.http.error(
                f"it has no library with the id {', '.join(missing)} (sync the libraries)",
                "not_found",
            )

    def update(self, remote_id: str, changes: dict[str, Any]) -> None:
        answer = self.http.json("PATCH", f"/api/users/{remote_id}", json_body=changes)
        if not isinstance(answer, dict) or answer.get("success") is not True:
            raise self.http.malformed("the update was not confirmed")

    def disable_account(self, remote_id: str) -> None:
        self.update(remote_id, {"isActive": False})
        logger.info("%s: disabled the account %s", self.http.where, remote_id)

    def delete_account(self, remote_id: str) -> None:
        send = functools.partial(self.http.request, "DELETE", f"/api/users/{remote_id}")
        delete_remote(self.http, send, f"the account {remote_id}")

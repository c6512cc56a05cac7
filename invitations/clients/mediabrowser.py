"""What Jellyfin and Emby share (both grew from Media Browser): users under `/Users`, a policy
read whole and written back whole, libraries from `/Library/MediaFolders`. `jellyfin.py` and
`emby.py` differ only in the auth header, how the password is set, which library id the policy
takes and how the server names itself."""

from __future__ import annotations

import functools
import logging
from abc import ABC, abstractmethod
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


class MediaBrowserClient(ABC):
    """The common part of the Jellyfin and Emby clients; subclasses fill the class attributes
    and `auth_headers`, `library_id`, `check_identity` and `create_user`."""

    server_type = ""
    label = ""
    can_disable = True

    def __init__(self, connection: ServerConnection) -> None:
        self.connection = connection
        self.http = HttpSession(
            self.label,
            connection.url,
            timeout=connection.timeout,
            headers=self.auth_headers(connection.token),
            secrets=(connection.token, connection.password),
        )

    @abstractmethod
    def auth_headers(self, token: str) -> dict[str, str]: ...

    @abstractmethod
    def library_id(self, folder: dict[str, Any]) -> Any:
        """The id of a `/Library/MediaFolders` item that `EnabledFolders` takes."""
        ...

    @abstractmethod
    def check_identity(self, info: dict[str, Any]) -> None:
        """Raise a `wrong_type` ClientError when `/System/Info/Public` is another product's."""
        ...

    @abstractmethod
    def create_user(self, request: AccountRequest) -> str:
        """Create the user with its password; return its id."""
        ...

    def wrong_type(self) -> ClientError:
        return self.http.error(f"this server does not answer as {self.label} does", "wrong_type")

    def verify(self) -> ServerIdentity:
        try:
            public = self.http.json("GET", "/System/Info/Public")
        except ClientError as exc:
            if exc.kind in ("not_found", "malformed"):
                raise self.wrong_type() from exc
            raise
        if not isinstance(public, dict) or not isinstance(public.get("Version"), str):
            raise self.wrong_type()
        self.check_identity(public)
        info = self.http.json("GET", "/System/Info")
        name = self.http.field(info, "ServerName")
        return ServerIdentity(name=name, version=str(info.get("Version", "")))

    def libraries(self) -> list[RemoteLibrary]:
        data = self.http.json("GET", "/Library/MediaFolders")
        items = self.http.field(data, "Items", list)
        found = []
        for item in items:
            name = self.http.field(item, "Name")
            external_id = self.library_id(item)
            if not isinstance(external_id, str) or not external_id:
                raise self.http.malformed("a library without its id")
            found.append(RemoteLibrary(external_id=external_id, name=name))
        return found

    def create_account(self, request: AccountRequest) -> RemoteAccount:
        self.http.hide(request.password)
        self.check_library_ids(request.library_ids)
        remote_id = self.create_user(request)
        try:
            self.set_policy(remote_id, request)
        except ClientError:
            undo_account(self.http, self.delete_account, remote_id)
            raise
        logger.info("%s: created the account %s", self.http.where, request.username)
        return RemoteAccount(remote_id=remote_id, username=request.username)

    def check_library_ids(self, library_ids: tuple[str, ...]) -> None:
        """Refuse ids the server does not have before anything is created."""
        if not library_ids:
            return
        known = {library.external_id for library in self.libraries()}
        missing = sorted(set(library_ids) - known)
        if missing:
            raise self.http.error(
                f"it has no library with the id {', '.join(missing)} (sync the libraries)",
                "not_found",
            )

    def read_user(self, remote_id: str) -> dict[str, Any]:
        user = self.http.json("GET", f"/Users/{remote_id}")
        if not isinstance(user, dict) or not isinstance(user.get("Policy"), dict):
            raise self.http.malformed("a user without its policy")
        return user

    def write_policy(self, remote_id: str, changes: dict[str, Any]) -> None:
        """Read the whole policy, change `changes`, post the whole policy back (a partial
        policy would reset every field it leaves out)."""
        policy = dict(self.read_user(remote_id)["Policy"])
        policy.update(changes)
        self.http.request("POST", f"/Users/{remote_id}/Policy", json_body=policy)

    def set_policy(self, remote_id: str, request: AccountRequest) -> None:
        self.write_policy(
            remote_id,
            {
                "EnableAllFolders": not request.library_ids,
                "EnabledFolders": list(request.library_ids),
                "EnableContentDownloading": request.allow_downloads,
                "EnableLiveTvAccess": request.allow_live_tv,
                "IsAdministrator": False,
                "IsDisabled": False,
            },
        )

    def disable_account(self, remote_id: str) -> None:
        self.write_policy(remote_id, {"IsDisabled": True})
        logger.info("%s: disabled the account %s", self.http.where, remote_id)

    def delete_account(self, remote_id: str) -> None:
        send = functools.partial(self.http.request, "DELETE", f"/Users/{remote_id}")
        delete_remote(self.http, send, f"the account {remote_id}")

    def new_user_id(self, user: Any) -> str:
        user_id: str = self.http.field(user, "Id")
        return user_id

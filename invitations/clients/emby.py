"""Emby: the API key goes in `X-Emby-Token`; `POST /Users/New` takes the name only and the
password is set by a second call (`POST /Users/{id}/Password`); the policy's `EnabledFolders`
takes each library's Guid, not its Id."""

from __future__ import annotations

from typing import Any

from invitations.clients.base import AccountRequest, ClientError
from invitations.clients.http import undo_account
from invitations.clients.mediabrowser import MediaBrowserClient


class EmbyClient(MediaBrowserClient):
    """An Emby server reached with an administrator's API key."""

    server_type = "emby"
    label = "Emby"

    def auth_headers(self, token: str) -> dict[str, str]:
        return {"X-Emby-Token": token}

    def library_id(self, folder: dict[str, Any]) -> Any:
        return folder.get("Guid")

    def check_identity(self, info: dict[str, Any]) -> None:
        # Jellyfin answers the same paths but names itself; Emby sends no ProductName.
        if "Jellyfin" in str(info.get("ProductName", "")):
            raise self.wrong_type()

    def create_user(self, request: AccountRequest) -> str:
        user_id = self.new_user_id(
            self.http.json("POST", "/Users/New", json_body={"Name": request.username})
        )
        password = {"Id": user_id, "CurrentPw": "", "NewPw": request.password}
        try:
            self.http.request("POST", f"/Users/{user_id}/Password", json_body=password)
        except ClientError:
            undo_account(self.http, self.delete_account, user_id)
            raise
        return user_id

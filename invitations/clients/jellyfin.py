"""Jellyfin: the API key goes in `Authorization: MediaBrowser Token="…"` (recent Jellyfin turns
the `X-Emby-Token` header and the `api_key` parameter off), `POST /Users/New` takes the name and
the password, and the policy's `EnabledFolders` takes the library item ids."""

from __future__ import annotations

from typing import Any

from invitations.clients.base import AccountRequest
from invitations.clients.mediabrowser import MediaBrowserClient

PRODUCT_NAME = "Jellyfin Server"


class JellyfinClient(MediaBrowserClient):
    """A Jellyfin server reached with an administrator's API key."""

    server_type = "jellyfin"
    label = "Jellyfin"

    def auth_headers(self, token: str) -> dict[str, str]:
        return {"Authorization": f'MediaBrowser Token="{token}"'}

    def library_id(self, folder: dict[str, Any]) -> Any:
        return folder.get("Id")

    def check_identity(self, info: dict[str, Any]) -> None:
        if info.get("ProductName") != PRODUCT_NAME:
            raise self.wrong_type()

    def create_user(self, request: AccountRequest) -> str:
        body = {"Name": request.username, "Password": request.password}
        return self.new_user_id(self.http.json("POST", "/Users/New", json_body=body))

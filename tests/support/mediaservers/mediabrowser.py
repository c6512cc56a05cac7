"""Fake Jellyfin and Emby servers: their `/System/Info`, `/Library/MediaFolders` and `/Users`
paths, status codes and JSON shapes, with users, policies and libraries kept in memory.

Jellyfin takes the key only as `Authorization: MediaBrowser Token="…"` (or
`X-Emby-Authorization`) unless `legacy_auth` is switched on, like Jellyfin 10.11 with
`EnableLegacyAuthorization` off; Emby takes `X-Emby-Token` or `?api_key=`."""

from __future__ import annotations

import copy
import re
import uuid
from typing import Any

from tests.support.mediaservers.base import FakeServer, Reply, Request, text

TOKEN_IN_HEADER = re.compile(r'Token="([^"]*)"')
JELLYFIN_AUTH_PROVIDER = "Jellyfin.Server.Implementations.Users.DefaultAuthenticationProvider"
JELLYFIN_RESET_PROVIDER = "Jellyfin.Server.Implementations.Users.DefaultPasswordResetProvider"


def default_policy() -> dict[str, Any]:
    """A new user's policy as the servers make it (the fields Nomarr must keep included)."""
    return {
        "IsAdministrator": False,
        "IsHidden": True,
        "IsDisabled": False,
        "BlockedTags": [],
        "EnableUserPreferenceAccess": True,
        "AccessSchedules": [],
        "BlockUnratedItems": [],
        "EnableRemoteControlOfOtherUsers": False,
        "EnableSharedDeviceControl": True,
        "EnableRemoteAccess": True,
        "EnableLiveTvManagement": True,
        "EnableLiveTvAccess": True,
        "EnableMediaPlayback": True,
        "EnableAudioPlaybackTranscoding": True,
        "EnableVideoPlaybackTranscoding": True,
        "EnablePlaybackRemuxing": True,
        "EnableContentDeletion": False,
        "EnableContentDeletionFromFolders": [],
        "EnableContentDownloading": True,
        "EnableSyncTranscoding": True,
        "EnabledDevices": [],
        "EnableAllDevices": True,
        "EnabledChannels": [],
        "EnableAllChannels": True,
        "EnabledFolders": [],
        "EnableAllFolders": True,
        "InvalidLoginAttemptCount": 0,
        "LoginAttemptsBeforeLockout": -1,
        "MaxActiveSessions": 0,
        "EnablePublicSharing": True,
        "RemoteClientBitrateLimit": 0,
    }


class MediaBrowserFake(FakeServer):
    """What Jellyfin and Emby answer alike; the subclasses differ in auth and identity."""

    product = ""
    version = ""

    def __init__(self, api_key: str = "", server_name: str = "Living Room") -> None:
        self.api_key = api_key or uuid.uuid4().hex
        self.server_id = uuid.uuid4().hex
        self.server_name = server_name
        self.users: dict[str, dict[str, Any]] = {}
        self.passwords: dict[str, str] = {}
        self.libraries: list[dict[str, Any]] = []
        super().__init__()

    def setup_routes(self) -> None:
        self.add("GET", "/System/Info/Public", self.public_info, public=True)
        self.add("GET", "/System/Info", self.info)
        self.add("GET", "/Library/MediaFolders", self.media_folders)
        self.add("POST", "/Users/New", self.new_user)
        self.add("GET", "/Users/(?P<user_id>[^/]+)", self.get_user)
        self.add("DELETE", "/Users/(?P<user_id>[^/]+)", self.delete_user)
        self.add("POST", "/Users/(?P<user_id>[^/]+)/Policy", self.set_policy)
        self.add("POST", "/Users/(?P<user_id>[^/]+)/Password", self.set_password)

    def add_library(self, name: str, collection_type: str = "music") -> dict[str, Any]:
        library = {
            "Name": name,
            "ServerId": self.server_id,
            "Id": uuid.uuid4().hex,
            "Guid": str(uuid.uuid4()),
            "CollectionType": collection_type,
            "Type": "CollectionFolder",
            "IsFolder": True,
        }
        self.libraries.append(library)
        return library

    # Identity.
    def public_info(self, request: Request) -> Reply:
        return Reply(body=self.public_fields())

    def public_fields(self) -> dict[str, Any]:
        return {
            "LocalAddress": self.url,
            "ServerName": self.server_name,
            "Version": self.version,
            "Id": self.server_id,
        }

    def info(self, request: Request) -> Reply:
        return Reply(body={**self.public_fields(), "OperatingSystem": "Linux", "HasUpdate": False})

    def media_folders(self, request: Request) -> Reply:
        items = [self.folder_json(library) for library in self.libraries]
        return Reply(body={"Items": items, "TotalRecordCount": len(items), "StartIndex": 0})

    def folder_json(self, library: dict[str, Any]) -> dict[str, Any]:
        return dict(library)

    # Users.
    def new_user(self, request: Request) -> Reply:
        body = request.json()
        name = body.get("Name") if isinstance(body, dict) else None
        if not isinstance(name, str) or not name.strip():
            return text(400, "Value cannot be null. (Parameter 'name')")
        if any(user["Name"].lower() == name.lower() for user in self.users.values()):
            return text(400, f"A user with the name '{name}' already exists.")
        user_id = uuid.uuid4().hex
        self.users[user_id] = {
            "Name": name,
            "ServerId": self.server_id,
            "Id": user_id,
            "HasPassword": False,
            "HasConfiguredPassword": False,
            "Policy": self.new_policy(),
            "Configuration": {"PlayDefaultAudioTrack": True, "SubtitleMode": "Default"},
        }
        self.accept_password_on_create(user_id, body)
        return Reply(body=self.user_json(user_id))

    def new_policy(self) -> dict[str, Any]:
        return default_policy()

    def accept_password_on_create(self, user_id: str, body: dict[str, Any]) -> None:
        """Jellyfin takes `Password` in `/Users/New`; Emby ignores it."""

    def store_password(self, user_id: str, password: str) -> None:
        self.passwords[user_id] = password
        self.users[user_id]["HasPassword"] = bool(password)
        self.users[user_id]["HasConfiguredPassword"] = bool(password)

    def user_json(self, user_id: str) -> dict[str, Any]:
        return copy.deepcopy(self.users[user_id])

    def get_user(self, request: Request, user_id: str) -> Reply:
        if user_id not in self.users:
            return text(404, "User not found")
        return Reply(body=self.user_json(user_id))

    def delete_user(self, request: Request, user_id: str) -> Reply:
        if self.users.pop(user_id, None) is None:
            return text(404, "User not found")
        self.passwords.pop(user_id, None)
        return Reply(204)

    def set_policy(self, request: Request, user_id: str) -> Reply:
        if user_id not in self.users:
            return text(404, "User not found")
        policy = request.json()
        if not isinstance(policy, dict):
            return text(400, "The policy field is required.")
        refusal = self.check_policy(policy)
        if refusal is not None:
            return refusal
        self.users[user_id]["Policy"] = policy
        return Reply(204)

    def check_policy(self, policy: dict[str, Any]) -> Reply | None:
        return None

    def set_password(self, request: Request, user_id: str) -> Reply:
        if user_id not in self.users:
            return text(404, "User not found")
        body = request.json()
        new = body.get("NewPw") if isinstance(body, dict) else None
        if not isinstance(new, str):
            return text(400, "NewPw is required")
        self.store_password(user_id, new)
        return Reply(204)


class JellyfinFake(MediaBrowserFake):
    """Jellyfin 10.10: `ProductName` "Jellyfin Server"; the policy must keep its providers."""

    product = "Jellyfin Server"
    version = "10.10.7"

    def __init__(self, api_key: str = "", server_name: str = "Living Room") -> None:
        self.legacy_auth = False
        super().__init__(api_key, server_name)

    def authorize(self, request: Request) -> Reply | None:
        for header in ("authorization", "x-emby-authorization"):
            value = request.header(header)
            match = TOKEN_IN_HEADER.search(value)
            if value.startswith("MediaBrowser ") and match and match.group(1) == self.api_key:
                return None
        if self.legacy_auth and self.api_key in (
            request.header("x-emby-token"),
            request.query.get("api_key", ""),
        ):
            return None
        return Reply(401)

    def public_fields(self) -> dict[str, Any]:
        return {
            **super().public_fields(),
            "ProductName": self.product,
            "OperatingSystem": "",
            "StartupWizardCompleted": True,
        }

    def folder_json(self, library: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in library.items() if key != "Guid"}

    def new_policy(self) -> dict[str, Any]:
        return {
            **default_policy(),
            "EnableCollectionManagement": False,
            "EnableSubtitleManagement": False,
            "EnableLyricManagement": False,
            "AuthenticationProviderId": JELLYFIN_AUTH_PROVIDER,
            "PasswordResetProviderId": JELLYFIN_RESET_PROVIDER,
            "SyncPlayAccess": "CreateAndJoinGroups",
        }

    def accept_password_on_create(self, user_id: str, body: dict[str, Any]) -> None:
        password = body.get("Password")
        self.store_password(user_id, password if isinstance(password, str) else "")

    def check_policy(self, policy: dict[str, Any]) -> Reply | None:
        for required in ("AuthenticationProviderId", "PasswordResetProviderId"):
            if not policy.get(required):
                return Reply(
                    400,
                    {
                        "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1",
                        "title": "One or more validation errors occurred.",
                        "status": 400,
                        "errors": {required: [f"The {required} field is required."]},
                    },
                    "application/problem+json",
                )
        return None


class EmbyFake(MediaBrowserFake):
    """Emby 4.8: no `ProductName`; `/Users/New` takes the name only; folders carry a Guid."""

    version = "4.8.11.0"

    def authorize(self, request: Request) -> Reply | None:
        match = TOKEN_IN_HEADER.search(request.header("x-emby-authorization"))
        offered = {
            request.header("x-emby-token"),
            request.query.get("api_key", ""),
            match.group(1) if match else "",
        }
        if self.api_key in offered:
            return None
        return text(401, "Access token is invalid or expired.")

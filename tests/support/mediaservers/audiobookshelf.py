"""A fake Audiobookshelf: the public `/status`, and under `/api` (behind
`Authorization: Bearer <token>`, else a plain-text 401) `me`, `libraries` and `users`, keeping
each user's permissions, libraries and active flag."""

from __future__ import annotations

import copy
import secrets
import time
import uuid
from typing import Any

from tests.support.mediaservers.base import FakeServer, Reply, Request, text

VERSION = "2.19.4"


def default_permissions() -> dict[str, Any]:
    return {
        "download": True,
        "update": False,
        "delete": False,
        "upload": False,
        "createEreader": False,
        "accessAllLibraries": True,
        "accessAllTags": True,
        "accessExplicitContent": True,
        "selectedTagsNotAccessible": False,
    }


class AudiobookshelfFake(FakeServer):
    """Audiobookshelf 2.x with one root user whose API token is `api_key`."""

    def __init__(self) -> None:
        self.libraries: list[dict[str, Any]] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.passwords: dict[str, str] = {}
        root = self.new_user("root", "root")
        self.api_key = root["token"]
        super().__init__()

    def new_user(self, username: str, user_type: str) -> dict[str, Any]:
        user = {
            "id": str(uuid.uuid4()),
            "username": username,
            "email": None,
            "type": user_type,
            "token": secrets.token_urlsafe(32),
            "mediaProgress": [],
            "seriesHideFromContinueListening": [],
            "bookmarks": [],
            "isActive": True,
            "isLocked": False,
            "lastSeen": None,
            "createdAt": int(time.time() * 1000),
            "permissions": default_permissions(),
            "librariesAccessible": [],
            "itemTagsSelected": [],
            "hasOpenIDLink": False,
        }
        self.users[user["id"]] = user
        return user

    def add_library(self, name: str, media_type: str = "book") -> dict[str, Any]:
        library = {
            "id": str(uuid.uuid4()),
            "name": name,
            "folders": [{"id": str(uuid.uuid4()), "fullPath": f"/{name.lower()}"}],
            "displayOrder": len(self.libraries) + 1,
            "icon": "database",
            "mediaType": media_type,
            "provider": "audible",
            "settings": {},
        }
        self.libraries.append(library)
        return library

    def setup_routes(self) -> None:
        self.add("GET", "/status", self.status, public=True)
        self.add("GET", "/api/me", self.me)
        self.add("GET", "/api/libraries", self.list_libraries)
        self.add("POST", "/api/users", self.create_user)
        self.add("PATCH", "/api/users/(?P<user_id>[^/]+)", self.update_user)
        self.add("DELETE", "/api/users/(?P<user_id>[^/]+)", self.delete_user)

    def caller(self, request: Request) -> dict[str, Any] | None:
        token = request.header("authorization").removeprefix("Bearer ")
        return next((u for u in self.users.values() if token and u["token"] == token), None)

    def authorize(self, request: Request) -> Reply | None:
        user = self.caller(request)
        if user is None or not user["isActive"]:
            return text(401, "Unauthorized")
        admin_only = request.path.startswith("/api/users")
        if admin_only and user["type"] not in ("root", "admin"):
            return text(403, "Forbidden")
        return None

    def status(self, request: Request) -> Reply:
        return Reply(
            body={
                "app": "audiobookshelf",
                "serverVersion": VERSION,
                "isInit": True,
                "language": "en-us",
                "authMethods": ["local"],
                "authFormData": {},
            }
        )

    def me(self, request: Request) -> Reply:
        return Reply(body=copy.deepcopy(self.caller(request)))

    def list_libraries(self, request: Request) -> Reply:
        return Reply(body={"libraries": copy.deepcopy(self.libraries)})

    def create_user(self, request: Request) -> Reply:
        body = request.json()
        if not isinstance(body, dict) or not body.get("username") or not body.get("password"):
            return text(500, "Invalid user")
        if any(u["username"] == body["username"] for u in self.users.values()):
            return text(500, "Username already taken")
        user = self.new_user(body["username"], body.get("type") or "user")
        user["email"] = body.get("email")
        self.passwords[user["id"]] = body["password"]
        return Reply(body={"user": copy.deepcopy(user)})

    def update_user(self, request: Request, user_id: str) -> Reply:
        user = self.users.get(user_id)
        if user is None:
            return Reply(404, None)
        body = request.json()
        if not isinstance(body, dict):
            return text(400, "Invalid request")
        for key in ("isActive", "librariesAccessible", "email", "username"):
            if key in body:
                user[key] = body[key]
        if isinstance(body.get("permissions"), dict):
            user["permissions"].update(body["permissions"])
        return Reply(body={"success": True, "user": copy.deepcopy(user)})

    def delete_user(self, request: Request, user_id: str) -> Reply:
        user = self.users.get(user_id)
        if user is None:
            return Reply(404, None)
        if user["type"] == "root":
            return text(400, "Root user cannot be deleted")
        del self.users[user_id]
        self.passwords.pop(user_id, None)
        return Reply(body={"success": True})

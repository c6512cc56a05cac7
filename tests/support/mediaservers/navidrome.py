"""A fake Navidrome: `POST /auth/login` (rate-limited, answering 429 past the limit) giving a
JWT-shaped token, the native API under `/api` behind `X-ND-Authorization: Bearer …` (a refreshed
token comes back in the same header), users with their libraries, and the Subsonic
`/rest/ping.view` that names the server."""

from __future__ import annotations

import base64
import json
import secrets
import time
import uuid
from typing import Any

from tests.support.mediaservers.base import FakeServer, Reply, Request, text

VERSION = "0.58.0 (ab12cd34)"


def jwt_like(user_id: str) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    header = part({"alg": "HS256", "typ": "JWT"})
    payload = part({"sub": user_id, "iat": int(time.time()), "jti": secrets.token_hex(6)})
    return f"{header}.{payload}.{secrets.token_urlsafe(32)}"


class NavidromeFake(FakeServer):
    """Navidrome 0.58 with one admin account, `admin_username`/`admin_password`."""

    def __init__(self) -> None:
        self.admin_username = "admin"
        self.admin_password = "Admin-" + secrets.token_hex(8)
        self.admin_id = uuid.uuid4().hex[:22]
        self.users: dict[str, dict[str, Any]] = {
            self.admin_id: self.user_record(self.admin_id, self.admin_username, admin=True)
        }
        self.passwords = {self.admin_id: self.admin_password}
        self.libraries: list[dict[str, Any]] = []
        self.tokens: dict[str, str] = {}  # token → user id
        self.logins: list[float] = []
        self.login_limit = 5  # Navidrome's AuthRequestLimit default, per AuthWindowLength (20 s)
        super().__init__()

    def user_record(self, user_id: str, user_name: str, admin: bool = False) -> dict[str, Any]:
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        return {
            "id": user_id,
            "userName": user_name,
            "name": user_name,
            "email": "",
            "isAdmin": admin,
            "lastLoginAt": None,
            "lastAccessAt": None,
            "createdAt": now,
            "updatedAt": now,
            "libraries": [],
        }

    def add_library(self, name: str) -> dict[str, Any]:
        library = {
            "id": len(self.libraries) + 1,
            "name": name,
            "path": f"/music/{name.lower()}",
            "remotePath": "",
            "lastScanAt": "2026-01-01T00:00:00Z",
            "totalSongs": 120,
        }
        self.libraries.append(library)
        return library

    def expire_tokens(self) -> None:
        """Every token stops working, as after Navidrome's session timeout."""
        self.tokens.clear()

    def setup_routes(self) -> None:
        self.add("POST", "/auth/login", self.login, public=True)
        self.add("GET", "/rest/ping(?:\\.view)?", self.ping, public=True)
        self.add("GET", "/api/library", self.list_libraries)
        self.add("POST", "/api/user", self.create_user)
        self.add("GET", "/api/user/(?P<user_id>[^/]+)", self.get_user)
        self.add("DELETE", "/api/user/(?P<user_id>[^/]+)", self.delete_user)
        self.add("PUT", "/api/user/(?P<user_id>[^/]+)/library", self.set_libraries)

    def authorize(self, request: Request) -> Reply | None:
        token = request.header("x-nd-authorization").removeprefix("Bearer ")
        user_id = self.tokens.get(token)
        if user_id is None or user_id not in self.users:
            return text(401, "Not authenticated")
        if not self.users[user_id]["isAdmin"]:
            return text(403, "Forbidden")
        return None

    def handle(self, request: Request) -> Reply:
        reply = super().handle(request)
        token = request.header("x-nd-authorization").removeprefix("Bearer ")
        with self.lock:
            if reply.status < 400 and token in self.tokens:
                fresh = jwt_like(self.tokens[token])
                self.tokens[fresh] = self.tokens[token]
                reply.headers["X-ND-Authorization"] = fresh
        return reply

    def login(self, request: Request) -> Reply:
        now = time.monotonic()
        self.logins = [at for at in self.logins if now - at < 20] + [now]
        if len(self.logins) > self.login_limit:
            return text(429, "Too Many Requests")
        body = request.json() if isinstance(request.json(), dict) else {}
        user = next((u for u in self.users.values() if u["userName"] == body.get("username")), None)
        if user is None or self.passwords.get(user["id"]) != body.get("password"):
            return Reply(401, {"error": "Invalid username or password"})
        token = jwt_like(user["id"])
        self.tokens[token] = user["id"]
        return Reply(
            body={
                "id": user["id"],
                "name": user["name"],
                "username": user["userName"],
                "isAdmin": user["isAdmin"],
                "lastFMApiKey": "",
                "token": token,
                "subsonicSalt": secrets.token_hex(3),
                "subsonicToken": secrets.token_hex(16),
            }
        )

    def ping(self, request: Request) -> Reply:
        return Reply(
            body={
                "subsonic-response": {
                    "status": "failed",
                    "version": "1.16.1",
                    "type": "navidrome",
                    "serverVersion": VERSION,
                    "openSubsonic": True,
                    "error": {"code": 10, "message": "Missing required parameter 'u'"},
                }
            }
        )

    def list_libraries(self, request: Request) -> Reply:
        return Reply(body=self.libraries)

    def create_user(self, request: Request) -> Reply:
        body = request.json()
        if not isinstance(body, dict):
            return Reply(400, {"error": "invalid request payload"})
        errors = {}
        if not body.get("userName"):
            errors["userName"] = "ra.validation.required"
        elif any(u["userName"].lower() == body["userName"].lower() for u in self.users.values()):
            errors["userName"] = "ra.validation.unique"
        if not body.get("password"):
            errors["password"] = "ra.validation.required"
        if errors:
            return Reply(400, {"errors": errors})
        user_id = uuid.uuid4().hex[:22]
        self.users[user_id] = self.user_record(user_id, body["userName"], bool(body.get("isAdmin")))
        self.users[user_id].update(name=body.get("name") or body["userName"])
        self.users[user_id]["email"] = body.get("email", "")
        self.passwords[user_id] = body["password"]
        return Reply(body={"id": user_id})

    def get_user(self, request: Request, user_id: str) -> Reply:
        if user_id not in self.users:
            return Reply(404, {"error": "data not found"})
        return Reply(body=self.users[user_id])

    def delete_user(self, request: Request, user_id: str) -> Reply:
        if user_id not in self.users:
            return Reply(404, {"error": "data not found"})
        del self.users[user_id]
        self.passwords.pop(user_id, None)
        return Reply(body={"id": user_id})

    def set_libraries(self, request: Request, user_id: str) -> Reply:
        user = self.users.get(user_id)
        if user is None:
            return Reply(404, {"error": "User not found"})
        if user["isAdmin"]:
            return Reply(400, {"error": "Cannot manually assign libraries to admin users"})
        body = request.json()
        ids = body.get("libraryIds") if isinstance(body, dict) else None
        if not isinstance(ids, list) or not ids:
            return Reply(400, {"error": "At least one library must be assigned to non-admin users"})
        by_id = {library["id"]: library for library in self.libraries}
        if any(library_id not in by_id for library_id in ids):
            return Reply(400, {"error": "One or more library IDs are invalid"})
        user["libraries"] = [by_id[library_id] for library_id in ids]
        return Reply(body=user["libraries"])

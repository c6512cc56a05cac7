"""Navidrome through its native API: `POST /auth/login` gives a JWT sent as
`X-ND-Authorization: Bearer …`. Logins are rate-limited by Navidrome, so the token is kept per
server and admin account for the whole process and renewed only when a call answers 401 (or
when Navidrome hands back a refreshed one). Navidrome cannot disable an account: expiry deletes."""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
from typing import Any

import httpx

from invitations.clients.base import (
    AccountRequest,
    ClientError,
    RemoteAccount,
    RemoteLibrary,
    ServerConnection,
    ServerIdentity,
)
from invitations.clients.http import HttpSession, delete_remote, display_url, undo_account

logger = logging.getLogger(__name__)

AUTH_HEADER = "X-ND-Authorization"

#: (server URL, admin username, password digest) → the JWT Navidrome last gave that admin.
_tokens: dict[tuple[str, str, str], str] = {}
_tokens_lock = threading.Lock()


def forget_tokens() -> None:
    """Drop every cached token (tests; a changed credential is keyed apart anyway)."""
    with _tokens_lock:
        _tokens.clear()


class NavidromeClient:
    """A Navidrome server reached with an administrator's username and password."""

    server_type = "navidrome"
    can_disable = False

    def __init__(self, connection: ServerConnection) -> None:
        self.connection = connection
        self.http = HttpSession(
            "Navidrome",
            connection.url,
            timeout=connection.timeout,
            secrets=(connection.password, connection.token),
        )
        digest = hashlib.sha256(connection.password.encode()).hexdigest()
        self.cache_key = (display_url(connection.url), connection.username, digest)

    # The token.
    def token(self) -> str:
        with _tokens_lock:
            cached = _tokens.get(self.cache_key)
        if cached:
            self.http.hide(cached)
            return cached
        return self.login()

    def login(self) -> str:
        body = {"username": self.connection.username, "password": self.connection.password}
        try:
            data = self.http.json("POST", "/auth/login", json_body=body)
        except ClientError as exc:
            if exc.status == 429:
                raise self.http.error(
                    "too many logins for now; Navidrome limits them, try again in a minute",
                    "refused",
                    429,
                ) from exc
            raise
        token: str = self.http.field(data, "token")
        self.http.hide(token)
        if data.get("isAdmin") is not True:
            raise self.http.error(
                f"{self.connection.username} is not an administrator", "auth", 403
            )
        self.remember(token)
        logger.info("%s: logged in as %s", self.http.where, self.connection.username)
        return token

    def remember(self, token: str) -> None:
        self.http.hide(token)
        with _tokens_lock:
            _tokens[self.cache_key] = token

    def forget(self, token: str) -> None:
        with _tokens_lock:
            if _tokens.get(self.cache_key) == token:
                del _tokens[self.cache_key]

    def call(self, method: str, path: str, json_body: Any = None) -> httpx.Response:
        """One native API call; a 401 (an expired token) logs in again once and retries."""
        for attempt in (1, 2):
            token = self.token()
            try:
                response = self.http.request(
                    method, path, json_body=json_body, headers={AUTH_HEADER: f"Bearer {token}"}
                )
            except ClientError as exc:
                if exc.status == 401 and attempt == 1:
                    self.forget(token)
                    continue
                raise
            refreshed = response.headers.get(AUTH_HEADER, "").removeprefix("Bearer ").strip()
            if refreshed:
                self.remember(refreshed)
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    # The interface.
    def verify(self) -> ServerIdentity:
        version = self.server_version()
        self.libraries()  # an administrator's call: proves the login and the role
        return ServerIdentity(name="Navidrome", version=version)

    def server_version(self) -> str:
        """Navidrome's Subsonic endpoint names the server even to a caller without
        credentials (the answer is an error that still carries `type` and `serverVersion`)."""
        wrong = self.http.error("this server does not answer as Navidrome does", "wrong_type")
        try:
            data = self.http.json("GET", "/rest/ping.view", params={"f": "json"})
        except ClientError as exc:
            if exc.kind in ("not_found", "malformed"):
                raise wrong from exc
            raise
        answer = data.get("subsonic-response") if isinstance(data, dict) else None
        if not isinstance(answer, dict) or answer.get("type") != "navidrome":
            raise wrong
        return str(answer.get("serverVersion", ""))

    def libraries(self) -> list[RemoteLibrary]:
        data = self.http.parse_json(self.call("GET", "/api/library"))
        if not isinstance(data, list):
            raise self.http.malformed("no library list")
        found = []
        for item in data:
            library_id = self.http.field(item, "id", int)
            found.append(RemoteLibrary(str(library_id), self.http.field(item, "name")))
        return found

    def create_account(self, request: AccountRequest) -> RemoteAccount:
        self.http.hide(request.password)
        library_ids = self.library_ids(request.library_ids)
        body = {
            "userName": request.username,
            "name": request.username,
            "email": request.email,
            "password": request.password,
            "isAdmin": False,
        }
        created = self.http.parse_json(self.call("POST", "/api/user", body))
        remote_id = self.http.field(created, "id")
        try:
            self.call("PUT", f"/api/user/{remote_id}/library", {"libraryIds": library_ids})
        except ClientError:
            undo_account(self.http, self.delete_account, remote_id)
            raise
        logger.info("%s: created the account %s", self.http.where, request.username)
        return RemoteAccount(remote_id=remote_id, username=request.username)

    def library_ids(self, wanted: tuple[str, ...]) -> list[int]:
        """Navidrome's numeric ids for `wanted` (every library when empty); an id the server
        does not have is refused before anything is created."""
        known = {library.external_id: int(library.external_id) for library in self.libraries()}
        if not wanted:
            return sorted(known.values())
        missing = sorted(set(wanted) - set(known))
        if missing:
            raise self.http.error(
                f"it has no library with the id {', '.join(missing)} (sync the libraries)",
                "not_found",
            )
        return [known[library_id] for library_id in wanted]

    def disable_account(self, remote_id: str) -> None:
        raise self.http.error("Navidrome cannot disable an account; delete it instead", "refused")

    def delete_account(self, remote_id: str) -> None:
        send = functools.partial(self.call, "DELETE", f"/api/user/{remote_id}")
        delete_remote(self.http, send, f"the account {remote_id}")

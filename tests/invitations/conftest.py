"""Fixtures for the invitations tests: `fake_clients`, an in-memory media-server client
registered for every server type (a test double for redemption, expiry and the API; the
clients themselves are tested against loopback servers), and servers, libraries and
invitations to work with."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field

import pytest

from invitations.clients.base import (
    AccountRequest,
    ClientError,
    RemoteAccount,
    RemoteLibrary,
    ServerConnection,
    ServerIdentity,
)

SECRET_TOKEN = "tok-SECRET-9d8f7e6a5b4c"  # a credential the tests look for in every answer


@dataclass
class FakeServer:
    """One server's state: accounts by remote id, and the steps told to fail."""

    accounts: dict[str, dict] = field(default_factory=dict)
    disabled: set[str] = field(default_factory=set)
    fail: dict[str, ClientError] = field(default_factory=dict)
    created_then_removed: list[str] = field(default_factory=list)
    can_disable: bool = True
    delay: float = 0.0


class FakeWorld:
    """Every fake server, keyed by URL; `calls` records (url, operation) pairs."""

    def __init__(self) -> None:
        self.servers: dict[str, FakeServer] = {}
        self.lock = threading.Lock()
        self.ids = itertools.count(1)
        self.calls: list[tuple[str, str]] = []

    def server(self, url: str) -> FakeServer:
        with self.lock:
            return self.servers.setdefault(url.rstrip("/"), FakeServer())

    def fail(self, url: str, step: str, kind: str = "refused", reason: str = "") -> None:
        self.server(url).fail[step] = ClientError(reason or f"{step} failed at {url}", kind=kind)


def make_client_class(world: FakeWorld, server_type: str) -> type:
    class FakeClient:
        def __init__(self, connection: ServerConnection) -> None:
            self.connection = connection
            self.server_type = server_type
            self.state = world.server(connection.url)
            self.can_disable = self.state.can_disable

        def _step(self, name: str) -> None:
            world.calls.append((self.connection.url, name))
            if not (self.connection.token or self.connection.password):
                raise ClientError("no credentials", kind="auth", status=401)
            if name in self.state.fail:
                raise self.state.fail[name]

        def verify(self) -> ServerIdentity:
            self._step("verify")
            return ServerIdentity(name=f"fake {server_type}", version="1.0")

        def libraries(self) -> list[RemoteLibrary]:
            self._step("libraries")
            return [RemoteLibrary("lib-a", "Movies"), RemoteLibrary("lib-b", "Music")]

        def create_account(self, request: AccountRequest) -> RemoteAccount:
            self._step("create")
            import time

            if self.state.delay:
                time.sleep(self.state.delay)
            with world.lock:
                taken = any(
                    a["username"].lower() == request.username.lower()
                    for a in self.state.accounts.values()
                )
                if taken:
                    raise ClientError("user name taken", kind="refused", status=400)
                remote_id = f"u{next(world.ids)}"
                self.state.accounts[remote_id] = {
                    "username": request.username,
                    "libraries": request.library_ids,
                    "downloads": request.allow_downloads,
                }
            if "policy" in self.state.fail:  # a later step fails: remove the half-made account
                with world.lock:
                    del self.state.accounts[remote_id]
                    self.state.created_then_removed.append(remote_id)
                raise self.state.fail["policy"]
            return RemoteAccount(remote_id, request.username)

        def disable_account(self, remote_id: str) -> None:
            self._step("disable")
            if not self.can_disable:
                raise ClientError("cannot disable", kind="refused")
            self.state.disabled.add(remote_id)

        def delete_account(self, remote_id: str) -> None:
            self._step("delete")
            with world.lock:
                self.state.accounts.pop(remote_id, None)

    return FakeClient


@pytest.fixture
def fake_clients(monkeypatch):
    from invitations import clients

    world = FakeWorld()
    classes = {t: make_client_class(world, t) for t in clients.SERVER_TYPES}
    monkeypatch.setattr(clients, "CLIENT_CLASSES", classes)
    return world


@pytest.fixture
def make_server(db):
    from invitations.models import MediaServer, ServerLibrary

    def make(name: str = "Jelly", server_type: str = "jellyfin", libraries=("Movies",), **extra):
        server = MediaServer(
            name=name,
            server_type=server_type,
            server_url=f"http://127.0.0.1:9/{name.lower()}",
            **extra,
        )
        server.set_credentials(token=SECRET_TOKEN)
        server.save()
        for index, library in enumerate(libraries):
            ServerLibrary.objects.create(server=server, external_id=f"ext-{index}", name=library)
        return server

    return make


@pytest.fixture
def two_servers(make_server):
    return make_server("Jelly", "jellyfin"), make_server("Navi", "navidrome", ("Music",))


@pytest.fixture
def invite(db):
    from invitations.services.invites import create_invitation

    def make(**data):
        return create_invitation(data)

    return make

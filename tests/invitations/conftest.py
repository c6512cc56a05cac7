"""Fixtures for the invitations tests.

Fake media servers on 127.0.0.1, one fixture per server type, for the clients: each yields the
running fake (`.url`, its credential — `.api_key`, or `.admin_username`/`.admin_password` for
Navidrome — its state, and failure switches `fail`, `slow`, `malformed`); `connection_to(type,
fake)` builds the ServerConnection. And `fake_clients`, an in-memory client registered for every
server type: a test double for redemption, expiry and the API logic, with servers, libraries
and invitations to work with."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
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
from invitations.clients.navidrome import forget_tokens
from tests.support.mediaservers.audiobookshelf import AudiobookshelfFake
from tests.support.mediaservers.mediabrowser import EmbyFake, JellyfinFake
from tests.support.mediaservers.navidrome import NavidromeFake
from tests.support.mediaservers.plex import PlexServerFake, PlexState, PlexTvFake

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
                    "password": request.password,
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


@pytest.fixture
def jellyfin_server() -> Iterator[JellyfinFake]:
    fake = JellyfinFake()
    fake.add_library("Music", "music")
    fake.add_library("Films", "movies")
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def emby_server() -> Iterator[EmbyFake]:
    fake = EmbyFake()
    fake.add_library("Music", "music")
    fake.add_library("Shows", "tvshows")
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def navidrome_server() -> Iterator[NavidromeFake]:
    forget_tokens()
    fake = NavidromeFake()
    fake.add_library("Music")
    fake.add_library("Jazz")
    fake.start()
    yield fake
    fake.stop()
    forget_tokens()


@pytest.fixture
def abs_server() -> Iterator[AudiobookshelfFake]:
    fake = AudiobookshelfFake()
    fake.add_library("Audiobooks", "book")
    fake.add_library("Podcasts", "podcast")
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def plex_server(monkeypatch) -> Iterator[PlexServerFake]:
    """A Plex Media Server and plex.tv (`.tv`), with plex.tv's URL pointed at the fake."""
    state = PlexState()
    state.add_section("Films", "movie")
    state.add_section("Music", "artist")
    fake = PlexServerFake(state).start()
    fake.tv = PlexTvFake(state).start()
    monkeypatch.setattr("invitations.clients.plex.PLEX_TV_URL", fake.tv.url)
    yield fake
    fake.tv.stop()
    fake.stop()


def connection_to(server_type: str, fake: object, **changes: object) -> ServerConnection:
    """A ServerConnection to `fake` with its right credential; `changes` override fields."""
    values: dict[str, object] = {
        "server_type": server_type,
        "url": getattr(fake, "url", ""),
        "token": getattr(fake, "api_key", ""),
        "username": getattr(fake, "admin_username", ""),
        "password": getattr(fake, "admin_password", ""),
        "timeout": 5.0,
    }
    values.update(changes)
    return ServerConnection(**values)  # type: ignore[arg-type]

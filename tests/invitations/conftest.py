"""Fake media servers on 127.0.0.1, one fixture per server type. Each yields the running fake:
`.url`, its credential (`.api_key`, or `.admin_username`/`.admin_password` for Navidrome), its
state (users, policies, libraries; Plex: `.state.shares`, and plex.tv as `.tv`) and failure
switches (`fail`, `slow`, `malformed`). `connection_to(type, fake)` builds the ServerConnection."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from invitations.clients.base import ServerConnection
from invitations.clients.navidrome import forget_tokens
from tests.support.mediaservers.audiobookshelf import AudiobookshelfFake
from tests.support.mediaservers.mediabrowser import EmbyFake, JellyfinFake
from tests.support.mediaservers.navidrome import NavidromeFake
from tests.support.mediaservers.plex import PlexServerFake, PlexState, PlexTvFake


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

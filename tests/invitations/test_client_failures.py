"""Every client meets the same failures the same way: a refused credential, a closed port, a
slow or malformed answer, a server error and a redirect each become the one ClientError kind."""

from __future__ import annotations

import pytest

from invitations.clients import CLIENT_CLASSES, SERVER_TYPES, client_for
from invitations.clients.base import ClientError, ServerConnection
from tests.invitations.conftest import connection_to
from tests.support.server import free_port

#: server type → (fixture, the authenticated path `verify` calls, a refused credential).
CASES = {
    "jellyfin": ("jellyfin_server", "^/System/Info$", {"token": "wrong"}),
    "emby": ("emby_server", "^/System/Info$", {"token": "wrong"}),
    "navidrome": ("navidrome_server", "^/api/library$", {"password": "wrong"}),
    "audiobookshelf": ("abs_server", "^/api/me$", {"token": "wrong"}),
    "plex": ("plex_server", "^/$", {"token": "wrong"}),
}
#: server type → the path `libraries` calls.
LIBRARY_PATHS = {
    "jellyfin": "^/Library/MediaFolders$",
    "emby": "^/Library/MediaFolders$",
    "navidrome": "^/api/library$",
    "audiobookshelf": "^/api/libraries$",
    "plex": "^/library/sections$",
}

every_type = pytest.mark.parametrize("server_type", SERVER_TYPES)


def failing(request, server_type, action="verify", **changes) -> ClientError:
    fixture, _path, _credential = CASES[server_type]
    fake = request.getfixturevalue(fixture)
    client = client_for(connection_to(server_type, fake, **changes))
    with pytest.raises(ClientError) as caught:
        getattr(client, action)()
    reason = caught.value.reason
    assert reason.split(" at ")[0] in ("Jellyfin", "Emby", "Navidrome", "Audiobookshelf", "Plex")
    return caught.value


def fake_of(request, server_type):
    return request.getfixturevalue(CASES[server_type][0])


def test_there_is_a_client_for_every_server_type():
    assert set(CLIENT_CLASSES) == set(SERVER_TYPES)


def test_an_unknown_server_type_is_the_wrong_type():
    with pytest.raises(ClientError) as caught:
        client_for(ServerConnection(server_type="kodi", url="http://127.0.0.1"))
    assert caught.value.kind == "wrong_type"


@every_type
def test_verify_with_a_refused_credential_is_an_auth_error(request, server_type):
    error = failing(request, server_type, **CASES[server_type][2])
    assert (error.kind, error.status) == ("auth", 401)


@every_type
def test_verify_of_a_closed_port_is_unreachable(request, server_type):
    error = failing(request, server_type, url=f"http://127.0.0.1:{free_port()}")
    assert error.kind == "unreachable"
    assert "cannot connect" in error.reason


@every_type
def test_verify_that_does_not_answer_in_time_is_a_timeout(request, server_type):
    fake_of(request, server_type).slow(3, path=CASES[server_type][1])
    assert failing(request, server_type, timeout=0.3).kind == "timeout"


@every_type
def test_verify_with_an_answer_that_is_not_json_is_malformed(request, server_type):
    fake_of(request, server_type).malformed(path=CASES[server_type][1])
    assert failing(request, server_type).kind == "malformed"


@every_type
def test_a_server_error_is_refused_with_its_status(request, server_type):
    fake_of(request, server_type).fail(500, path=CASES[server_type][1])
    error = failing(request, server_type)
    assert (error.kind, error.status) == ("refused", 500)


@every_type
def test_a_missing_libraries_path_is_not_found(request, server_type):
    fake_of(request, server_type).fail(404, path=LIBRARY_PATHS[server_type])
    error = failing(request, server_type, action="libraries")
    assert (error.kind, error.status) == ("not_found", 404)


@every_type
def test_a_redirect_is_refused_naming_where_it_leads(request, server_type):
    fake = fake_of(request, server_type)
    fake.redirect("https://media.example.org/", path=LIBRARY_PATHS[server_type])
    error = failing(request, server_type, action="libraries")
    assert error.kind == "refused"
    assert "redirects to https://media.example.org" in error.reason

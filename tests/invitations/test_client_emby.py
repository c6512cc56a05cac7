"""The Emby client against a fake Emby on 127.0.0.1: the key in `X-Emby-Token`, the password
set by a second call, and library Guids in the policy."""

from __future__ import annotations

import pytest

from invitations.clients import client_for
from invitations.clients.base import AccountRequest, ClientError
from invitations.clients.emby import EmbyClient
from tests.invitations.conftest import connection_to

PASSWORD = "Quiet-Harbour-7"


def client(fake, **changes) -> EmbyClient:
    made = client_for(connection_to("emby", fake, **changes))
    assert isinstance(made, EmbyClient)
    return made


def request(**changes) -> AccountRequest:
    values = {"username": "carol", "password": PASSWORD}
    values.update(changes)
    return AccountRequest(**values)  # type: ignore[arg-type]


def test_verify_names_the_emby_server(emby_server):
    identity = client(emby_server).verify()
    assert (identity.name, identity.version) == ("Living Room", "4.8.11.0")
    info = [r for r in emby_server.requests if r.path == "/System/Info"][-1]
    assert info.header("x-emby-token") == emby_server.api_key


def test_verify_against_jellyfin_says_it_is_not_emby(jellyfin_server):
    with pytest.raises(ClientError) as caught:
        client(jellyfin_server).verify()
    assert caught.value.kind == "wrong_type"
    assert "does not answer as Emby does" in caught.value.reason


def test_verify_with_a_wrong_key_is_an_auth_error(emby_server):
    with pytest.raises(ClientError) as caught:
        client(emby_server, token="nope").verify()
    assert (caught.value.kind, caught.value.status) == ("auth", 401)


def test_libraries_are_named_by_their_guid(emby_server):
    found = client(emby_server).libraries()
    assert [lib.external_id for lib in found] == [lib["Guid"] for lib in emby_server.libraries]


def test_creating_an_account_sets_the_password_in_a_second_call(emby_server):
    account = client(emby_server).create_account(request())
    new = [r for r in emby_server.requests if r.path == "/Users/New"][-1]
    assert new.json() == {"Name": "carol"}
    password = [r for r in emby_server.requests if r.path.endswith("/Password")][-1]
    assert password.path == f"/Users/{account.remote_id}/Password"
    assert password.json()["NewPw"] == PASSWORD
    assert emby_server.passwords[account.remote_id] == PASSWORD
    assert emby_server.users[account.remote_id]["HasPassword"] is True


def test_creating_an_account_grants_libraries_by_guid_with_the_flags(emby_server):
    shows = emby_server.libraries[1]["Guid"]
    account = client(emby_server).create_account(
        request(library_ids=(shows,), allow_downloads=True, allow_live_tv=False)
    )
    policy = emby_server.users[account.remote_id]["Policy"]
    assert policy["EnableAllFolders"] is False
    assert policy["EnabledFolders"] == [shows]
    assert policy["EnableContentDownloading"] is True
    assert policy["EnableLiveTvAccess"] is False
    assert policy["EnableMediaPlayback"] is True


def test_a_library_id_instead_of_its_guid_is_refused_before_creating(emby_server):
    with pytest.raises(ClientError) as caught:
        client(emby_server).create_account(request(library_ids=(emby_server.libraries[0]["Id"],)))
    assert caught.value.kind == "not_found"
    assert emby_server.users == {}


def test_a_failed_password_call_deletes_the_new_account(emby_server):
    emby_server.fail(500, path="/Password$")
    with pytest.raises(ClientError):
        client(emby_server).create_account(request())
    assert emby_server.users == {}


def test_a_failed_policy_call_deletes_the_new_account(emby_server):
    emby_server.fail(400, path="/Policy$")
    with pytest.raises(ClientError) as caught:
        client(emby_server).create_account(request())
    assert caught.value.status == 400
    assert emby_server.users == {}


def test_disable_then_delete_and_delete_again(emby_server):
    made = client(emby_server).create_account(request())
    client(emby_server).disable_account(made.remote_id)
    assert emby_server.users[made.remote_id]["Policy"]["IsDisabled"] is True
    client(emby_server).delete_account(made.remote_id)
    client(emby_server).delete_account(made.remote_id)
    assert emby_server.users == {}


def test_a_timeout_while_creating_is_reported_as_a_timeout(emby_server):
    emby_server.slow(3, path="^/Users/New$")
    with pytest.raises(ClientError) as caught:
        client(emby_server, timeout=0.3).create_account(request())
    assert caught.value.kind == "timeout"
    assert "Emby at" in caught.value.reason

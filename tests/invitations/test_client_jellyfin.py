"""The Jellyfin client against a fake Jellyfin on 127.0.0.1 that takes the key only in the
`Authorization: MediaBrowser Token=` header and keeps users, policies and libraries."""

from __future__ import annotations

import logging

import httpx
import pytest

from invitations.clients import client_for
from invitations.clients.base import AccountRequest, ClientError
from invitations.clients.jellyfin import JellyfinClient
from tests.invitations.conftest import connection_to
from tests.support.mediaservers.mediabrowser import JELLYFIN_AUTH_PROVIDER, JELLYFIN_RESET_PROVIDER
from tests.support.server import free_port

PASSWORD = "Tulip-Kettle-42"


def client(fake, **changes) -> JellyfinClient:
    made = client_for(connection_to("jellyfin", fake, **changes))
    assert isinstance(made, JellyfinClient)
    return made


def request(**changes) -> AccountRequest:
    values = {"username": "alice", "password": PASSWORD}
    values.update(changes)
    return AccountRequest(**values)  # type: ignore[arg-type]


def test_verify_names_the_server_and_its_version(jellyfin_server):
    identity = client(jellyfin_server).verify()
    assert identity.name == "Living Room"
    assert identity.version == "10.10.7"


def test_verify_sends_the_key_in_the_mediabrowser_authorization_header(jellyfin_server):
    client(jellyfin_server).verify()
    info = [r for r in jellyfin_server.requests if r.path == "/System/Info"][-1]
    assert info.header("authorization") == f'MediaBrowser Token="{jellyfin_server.api_key}"'
    assert not info.header("x-emby-token")


def test_the_fake_refuses_the_legacy_x_emby_token_header_as_jellyfin_does(jellyfin_server):
    answer = httpx.get(
        jellyfin_server.url + "/System/Info", headers={"X-Emby-Token": jellyfin_server.api_key}
    )
    assert answer.status_code == 401


def test_verify_with_a_wrong_key_is_an_auth_error(jellyfin_server):
    with pytest.raises(ClientError) as caught:
        client(jellyfin_server, token="not-the-key").verify()
    assert caught.value.kind == "auth"
    assert caught.value.status == 401
    assert "Jellyfin at http://127.0.0.1" in caught.value.reason


def test_verify_against_an_emby_server_says_it_is_not_jellyfin(emby_server):
    with pytest.raises(ClientError) as caught:
        client(emby_server).verify()
    assert caught.value.kind == "wrong_type"
    assert "does not answer as Jellyfin does" in caught.value.reason


def test_verify_against_a_server_without_the_jellyfin_paths_is_the_wrong_type(jellyfin_server):
    jellyfin_server.fail(404, path="^/System/Info/Public$")
    with pytest.raises(ClientError) as caught:
        client(jellyfin_server).verify()
    assert caught.value.kind == "wrong_type"


def test_verify_of_a_closed_port_is_unreachable():
    with pytest.raises(ClientError) as caught:
        client(None, url=f"http://127.0.0.1:{free_port()}").verify()
    assert caught.value.kind == "unreachable"


def test_verify_of_a_server_that_does_not_answer_in_time_is_a_timeout(jellyfin_server):
    jellyfin_server.slow(3, path="^/System/Info")
    with pytest.raises(ClientError) as caught:
        client(jellyfin_server, timeout=0.3).verify()
    assert caught.value.kind == "timeout"
    assert "0.3 s" in caught.value.reason


def test_verify_of_an_answer_that_is_not_json_is_malformed(jellyfin_server):
    jellyfin_server.malformed(path="^/System/Info$")
    with pytest.raises(ClientError) as caught:
        client(jellyfin_server).verify()
    assert caught.value.kind == "malformed"


def test_libraries_are_the_media_folders_with_their_item_ids(jellyfin_server):
    found = client(jellyfin_server).libraries()
    assert [(lib.name, lib.external_id) for lib in found] == [
        (library["Name"], library["Id"]) for library in jellyfin_server.libraries
    ]


def test_libraries_without_items_are_malformed(jellyfin_server):
    jellyfin_server.fail(200, path="^/Library/MediaFolders$", body={"TotalRecordCount": 0})
    with pytest.raises(ClientError) as caught:
        client(jellyfin_server).libraries()
    assert caught.value.kind == "malformed"


def test_creating_an_account_sets_password_libraries_and_flags_and_keeps_the_policy(
    jellyfin_server,
):
    music = jellyfin_server.libraries[0]["Id"]
    account = client(jellyfin_server).create_account(
        request(library_ids=(music,), allow_downloads=False, allow_live_tv=False)
    )
    stored = jellyfin_server.users[account.remote_id]
    assert stored["Name"] == account.username == "alice"
    assert jellyfin_server.passwords[account.remote_id] == PASSWORD
    policy = stored["Policy"]
    assert policy["EnableAllFolders"] is False
    assert policy["EnabledFolders"] == [music]
    assert policy["EnableContentDownloading"] is False
    assert policy["EnableLiveTvAccess"] is False
    assert policy["IsDisabled"] is False
    assert policy["AuthenticationProviderId"] == JELLYFIN_AUTH_PROVIDER
    assert policy["PasswordResetProviderId"] == JELLYFIN_RESET_PROVIDER
    assert policy["SyncPlayAccess"] == "CreateAndJoinGroups"


def test_creating_an_account_without_library_ids_grants_every_library(jellyfin_server):
    account = client(jellyfin_server).create_account(
        request(allow_downloads=True, allow_live_tv=True)
    )
    policy = jellyfin_server.users[account.remote_id]["Policy"]
    assert policy["EnableAllFolders"] is True
    assert policy["EnabledFolders"] == []
    assert policy["EnableContentDownloading"] is True
    assert policy["EnableLiveTvAccess"] is True


def test_an_unknown_library_id_is_refused_before_any_account_exists(jellyfin_server):
    with pytest.raises(ClientError) as caught:
        client(jellyfin_server).create_account(request(library_ids=("gone",)))
    assert caught.value.kind == "not_found"
    assert jellyfin_server.users == {}


def test_a_taken_username_is_refused_with_the_servers_message(jellyfin_server):
    client(jellyfin_server).create_account(request())
    with pytest.raises(ClientError) as caught:
        client(jellyfin_server).create_account(request())
    assert caught.value.kind == "refused"
    assert caught.value.status == 400
    assert "already exists" in caught.value.reason


def test_a_policy_failure_after_creation_deletes_the_account(jellyfin_server):
    jellyfin_server.fail(500, path="/Policy$", method="POST")
    with pytest.raises(ClientError) as caught:
        client(jellyfin_server).create_account(request())
    assert caught.value.status == 500
    assert jellyfin_server.users == {}
    assert jellyfin_server.count("DELETE", "^/Users/") == 1


def test_disabling_an_account_sets_is_disabled_and_keeps_the_rest(jellyfin_server):
    music = jellyfin_server.libraries[0]["Id"]
    made = client(jellyfin_server).create_account(request(library_ids=(music,)))
    client(jellyfin_server).disable_account(made.remote_id)
    policy = jellyfin_server.users[made.remote_id]["Policy"]
    assert policy["IsDisabled"] is True
    assert policy["EnabledFolders"] == [music]
    assert policy["AuthenticationProviderId"] == JELLYFIN_AUTH_PROVIDER


def test_disabling_an_account_the_server_lacks_is_not_found(jellyfin_server):
    with pytest.raises(ClientError) as caught:
        client(jellyfin_server).disable_account("0" * 32)
    assert caught.value.kind == "not_found"


def test_deleting_an_account_removes_it_and_a_second_delete_is_fine(jellyfin_server):
    made = client(jellyfin_server).create_account(request())
    client(jellyfin_server).delete_account(made.remote_id)
    assert made.remote_id not in jellyfin_server.users
    client(jellyfin_server).delete_account(made.remote_id)


def test_a_server_error_on_delete_is_refused(jellyfin_server):
    jellyfin_server.fail(500, method="DELETE")
    with pytest.raises(ClientError) as caught:
        client(jellyfin_server).delete_account("0" * 32)
    assert caught.value.kind == "refused"


def test_no_secret_appears_in_any_reason_or_log_line(jellyfin_server, caplog):
    caplog.set_level(logging.DEBUG)
    jellyfin_server.fail(500, path="/Policy$", body={"Message": f"bad {PASSWORD}"})
    jellyfin_server.slow(2, path="MediaFolders")
    failing = (
        lambda: client(jellyfin_server, token="wrong-key-123").verify(),
        lambda: client(jellyfin_server).create_account(request()),
        lambda: client(jellyfin_server, timeout=0.2).libraries(),
    )
    reasons = []
    for action in failing:
        with pytest.raises(ClientError) as caught:
            action()
        reasons.append(caught.value.reason)
    client(jellyfin_server).create_account(request(username="bob"))
    assert "bad •••" in reasons[1]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (jellyfin_server.api_key, "wrong-key-123", PASSWORD):
        assert secret not in logged
        assert all(secret not in reason for reason in reasons)

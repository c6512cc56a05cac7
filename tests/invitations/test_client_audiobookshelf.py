"""The Audiobookshelf client against a fake Audiobookshelf on 127.0.0.1 (bearer token, users
with `librariesAccessible`, permissions and `isActive`)."""

from __future__ import annotations

import logging

import httpx
import pytest

from invitations.clients import client_for
from invitations.clients.audiobookshelf import AudiobookshelfClient
from invitations.clients.base import AccountRequest, ClientError
from tests.invitations.conftest import connection_to
from tests.support.server import free_port

PASSWORD = "Maple-Lantern-88"


def client(fake, **changes) -> AudiobookshelfClient:
    made = client_for(connection_to("audiobookshelf", fake, **changes))
    assert isinstance(made, AudiobookshelfClient)
    return made


def request(**changes) -> AccountRequest:
    values = {"username": "erin", "password": PASSWORD, "email": "erin@example.org"}
    values.update(changes)
    return AccountRequest(**values)  # type: ignore[arg-type]


def user_named(fake, name):
    return next(u for u in fake.users.values() if u["username"] == name)


def test_verify_names_audiobookshelf_and_its_version(abs_server):
    identity = client(abs_server).verify()
    assert (identity.name, identity.version) == ("Audiobookshelf", "2.19.4")


def test_verify_with_a_wrong_token_is_an_auth_error(abs_server):
    with pytest.raises(ClientError) as caught:
        client(abs_server, token="nope").verify()
    assert (caught.value.kind, caught.value.status) == ("auth", 401)


def test_verify_with_a_users_token_is_refused_as_not_an_administrator(abs_server):
    client(abs_server).create_account(request())
    token = user_named(abs_server, "erin")["token"]
    with pytest.raises(ClientError) as caught:
        client(abs_server, token=token).verify()
    assert caught.value.kind == "auth"
    assert "not an administrator" in caught.value.reason


def test_verify_against_navidrome_is_the_wrong_type(navidrome_server):
    with pytest.raises(ClientError) as caught:
        client(navidrome_server, token="x").verify()
    assert caught.value.kind == "wrong_type"


def test_verify_of_a_closed_port_is_unreachable():
    with pytest.raises(ClientError) as caught:
        client(None, url=f"http://127.0.0.1:{free_port()}").verify()
    assert caught.value.kind == "unreachable"


def test_verify_that_times_out_is_a_timeout(abs_server):
    abs_server.slow(3, path="^/api/me$")
    with pytest.raises(ClientError) as caught:
        client(abs_server, timeout=0.3).verify()
    assert caught.value.kind == "timeout"


def test_a_malformed_me_answer_is_malformed(abs_server):
    abs_server.malformed(path="^/api/me$")
    with pytest.raises(ClientError) as caught:
        client(abs_server).verify()
    assert caught.value.kind == "malformed"


def test_the_fake_wants_the_bearer_header(abs_server):
    answer = httpx.get(abs_server.url + "/api/libraries", headers={"X-Api-Key": abs_server.api_key})
    assert answer.status_code == 401
    assert answer.text == "Unauthorized"


def test_libraries_are_listed_with_their_ids(abs_server):
    found = client(abs_server).libraries()
    assert [(lib.external_id, lib.name) for lib in found] == [
        (lib["id"], lib["name"]) for lib in abs_server.libraries
    ]


def test_creating_an_account_sets_libraries_and_permissions(abs_server):
    books = abs_server.libraries[0]["id"]
    made = client(abs_server).create_account(
        request(library_ids=(books,), allow_downloads=False, allow_mobile_uploads=True)
    )
    user = abs_server.users[made.remote_id]
    assert (user["username"], user["type"], user["isActive"]) == ("erin", "user", True)
    assert abs_server.passwords[made.remote_id] == PASSWORD
    assert user["librariesAccessible"] == [books]
    assert user["permissions"]["accessAllLibraries"] is False
    assert user["permissions"]["download"] is False
    assert user["permissions"]["upload"] is True
    assert user["permissions"]["delete"] is False


def test_creating_an_account_without_library_ids_grants_every_library(abs_server):
    made = client(abs_server).create_account(request())
    user = abs_server.users[made.remote_id]
    assert user["permissions"]["accessAllLibraries"] is True
    assert user["librariesAccessible"] == []


def test_a_taken_username_is_refused_with_the_servers_words(abs_server):
    client(abs_server).create_account(request())
    with pytest.raises(ClientError) as caught:
        client(abs_server).create_account(request())
    assert caught.value.kind == "refused"
    assert "Username already taken" in caught.value.reason


def test_a_failed_update_after_creation_deletes_the_account(abs_server):
    abs_server.fail(500, method="PATCH")
    with pytest.raises(ClientError):
        client(abs_server).create_account(request())
    assert [u["username"] for u in abs_server.users.values()] == ["root"]


def test_an_unknown_library_is_refused_before_creating(abs_server):
    with pytest.raises(ClientError) as caught:
        client(abs_server).create_account(request(library_ids=("nope",)))
    assert caught.value.kind == "not_found"
    assert len(abs_server.users) == 1


def test_disabling_sets_is_active_false(abs_server):
    made = client(abs_server).create_account(request())
    client(abs_server).disable_account(made.remote_id)
    assert abs_server.users[made.remote_id]["isActive"] is False


def test_deleting_twice_counts_as_deleted(abs_server):
    made = client(abs_server).create_account(request())
    client(abs_server).delete_account(made.remote_id)
    client(abs_server).delete_account(made.remote_id)
    assert made.remote_id not in abs_server.users


def test_no_token_or_password_in_reasons_or_logs(abs_server, caplog):
    caplog.set_level(logging.DEBUG)
    abs_server.fail(500, path="^/api/users$", body=f"nope {PASSWORD}")
    with pytest.raises(ClientError) as caught:
        client(abs_server).create_account(request())
    with pytest.raises(ClientError) as wrong:
        client(abs_server, token="Secret-Token-9").verify()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (abs_server.api_key, PASSWORD, "Secret-Token-9"):
        assert secret not in logged
        assert secret not in caught.value.reason + wrong.value.reason

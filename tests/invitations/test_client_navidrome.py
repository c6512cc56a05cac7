"""The Navidrome client against a fake Navidrome on 127.0.0.1: one login kept across calls and
clients, renewed after a 401, users created with their libraries, delete instead of disable."""

from __future__ import annotations

import logging

import httpx
import pytest

from invitations.clients import client_for
from invitations.clients.base import AccountRequest, ClientError
from invitations.clients.navidrome import NavidromeClient
from tests.invitations.conftest import connection_to

PASSWORD = "Velvet-Anchor-31"


def client(fake, **changes) -> NavidromeClient:
    made = client_for(connection_to("navidrome", fake, **changes))
    assert isinstance(made, NavidromeClient)
    return made


def request(**changes) -> AccountRequest:
    values = {"username": "dave", "password": PASSWORD, "email": "dave@example.org"}
    values.update(changes)
    return AccountRequest(**values)  # type: ignore[arg-type]


def test_verify_names_navidrome_and_its_version(navidrome_server):
    identity = client(navidrome_server).verify()
    assert identity.name == "Navidrome"
    assert identity.version.startswith("0.58.0")


def test_verify_with_a_wrong_password_is_an_auth_error(navidrome_server):
    with pytest.raises(ClientError) as caught:
        client(navidrome_server, password="wrong").verify()
    assert (caught.value.kind, caught.value.status) == ("auth", 401)


def test_verify_with_a_user_who_is_not_an_administrator_is_an_auth_error(navidrome_server):
    client(navidrome_server).create_account(request())
    with pytest.raises(ClientError) as caught:
        client(navidrome_server, username="dave", password=PASSWORD).verify()
    assert caught.value.kind == "auth"
    assert "not an administrator" in caught.value.reason


def test_verify_against_jellyfin_is_the_wrong_type(jellyfin_server):
    with pytest.raises(ClientError) as caught:
        client(jellyfin_server, username="admin", password="x").verify()
    assert caught.value.kind == "wrong_type"


def test_the_fake_refuses_the_api_without_the_navidrome_header(navidrome_server):
    token = client(navidrome_server).token()
    answer = httpx.get(
        navidrome_server.url + "/api/library", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 401


def test_one_login_serves_many_calls_and_many_clients(navidrome_server):
    client(navidrome_server).verify()
    client(navidrome_server).libraries()
    made = client(navidrome_server).create_account(request())
    client(navidrome_server).delete_account(made.remote_id)
    assert navidrome_server.count("POST", "^/auth/login$") == 1


def test_an_expired_token_is_renewed_once_and_the_call_succeeds(navidrome_server):
    client(navidrome_server).libraries()
    navidrome_server.expire_tokens()
    assert [lib.name for lib in client(navidrome_server).libraries()] == ["Music", "Jazz"]
    assert navidrome_server.count("POST", "^/auth/login$") == 2


def test_a_401_after_renewal_is_reported_not_retried_forever(navidrome_server):
    client(navidrome_server).libraries()
    navidrome_server.fail(401, path="^/api/library$", times=5)
    with pytest.raises(ClientError) as caught:
        client(navidrome_server).libraries()
    assert caught.value.kind == "auth"
    assert navidrome_server.count("GET", "^/api/library$") == 3


def test_the_login_rate_limit_is_reported_clearly(navidrome_server):
    navidrome_server.fail(429, path="^/auth/login$")
    with pytest.raises(ClientError) as caught:
        client(navidrome_server).libraries()
    assert (caught.value.kind, caught.value.status) == ("refused", 429)
    assert "too many logins" in caught.value.reason


def test_libraries_are_navidromes_numbered_libraries(navidrome_server):
    found = client(navidrome_server).libraries()
    assert [(lib.external_id, lib.name) for lib in found] == [("1", "Music"), ("2", "Jazz")]


def test_creating_an_account_sets_its_password_and_libraries(navidrome_server):
    made = client(navidrome_server).create_account(request(library_ids=("2",)))
    user = navidrome_server.users[made.remote_id]
    assert (user["userName"], user["email"], user["isAdmin"]) == ("dave", "dave@example.org", False)
    assert navidrome_server.passwords[made.remote_id] == PASSWORD
    assert [library["id"] for library in user["libraries"]] == [2]


def test_creating_an_account_without_library_ids_grants_every_library(navidrome_server):
    made = client(navidrome_server).create_account(request())
    assert [lib["id"] for lib in navidrome_server.users[made.remote_id]["libraries"]] == [1, 2]


def test_an_unknown_library_is_refused_before_the_account_exists(navidrome_server):
    with pytest.raises(ClientError) as caught:
        client(navidrome_server).create_account(request(library_ids=("9",)))
    assert caught.value.kind == "not_found"
    assert len(navidrome_server.users) == 1


def test_a_failure_setting_libraries_deletes_the_new_account(navidrome_server):
    navidrome_server.fail(500, path="/library$", method="PUT")
    with pytest.raises(ClientError):
        client(navidrome_server).create_account(request())
    assert [u["userName"] for u in navidrome_server.users.values()] == ["admin"]


def test_a_taken_username_is_refused(navidrome_server):
    client(navidrome_server).create_account(request())
    with pytest.raises(ClientError) as caught:
        client(navidrome_server).create_account(request())
    assert (caught.value.kind, caught.value.status) == ("refused", 400)


def test_navidrome_cannot_disable_so_the_client_says_so(navidrome_server):
    made = client(navidrome_server).create_account(request())
    assert client(navidrome_server).can_disable is False
    with pytest.raises(ClientError) as caught:
        client(navidrome_server).disable_account(made.remote_id)
    assert "delete it instead" in caught.value.reason


def test_deleting_twice_counts_as_deleted(navidrome_server):
    made = client(navidrome_server).create_account(request())
    client(navidrome_server).delete_account(made.remote_id)
    client(navidrome_server).delete_account(made.remote_id)
    assert made.remote_id not in navidrome_server.users


def test_a_malformed_library_list_is_malformed(navidrome_server):
    navidrome_server.malformed(path="^/api/library$")
    with pytest.raises(ClientError) as caught:
        client(navidrome_server).libraries()
    assert caught.value.kind == "malformed"


def test_a_slow_login_is_a_timeout(navidrome_server):
    navidrome_server.slow(3, path="^/auth/login$")
    with pytest.raises(ClientError) as caught:
        client(navidrome_server, timeout=0.3).libraries()
    assert caught.value.kind == "timeout"


def test_no_password_or_token_appears_in_reasons_or_logs(navidrome_server, caplog):
    caplog.set_level(logging.DEBUG)
    token = client(navidrome_server).token()
    navidrome_server.fail(500, path="^/api/user$", body={"error": f"bad {PASSWORD} {token}"})
    with pytest.raises(ClientError) as caught:
        client(navidrome_server).create_account(request())
    with pytest.raises(ClientError) as wrong:
        client(navidrome_server, password="Wrong-Secret-1").verify()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    reasons = caught.value.reason + wrong.value.reason
    for secret in (navidrome_server.admin_password, PASSWORD, token, "Wrong-Secret-1"):
        assert secret not in logged
        assert secret not in reasons

"""The Plex client against a fake Plex Media Server and a fake plex.tv on 127.0.0.1: identity,
sections, sharing with an invitee's email through plex.tv and removing the share."""

from __future__ import annotations

import logging

import httpx
import pytest

from invitations.clients import client_for
from invitations.clients.base import AccountRequest, ClientError
from invitations.clients.plex import PlexClient
from tests.invitations.conftest import connection_to
from tests.support.server import free_port


def client(fake, **changes) -> PlexClient:
    made = client_for(connection_to("plex", fake, **changes))
    assert isinstance(made, PlexClient)
    return made


def request(**changes) -> AccountRequest:
    values = {"username": "", "password": "", "email": "frank@example.org"}
    values.update(changes)
    return AccountRequest(**values)  # type: ignore[arg-type]


def test_verify_gives_the_name_version_and_machine_id(plex_server):
    identity = client(plex_server).verify()
    assert identity.name == "Attic Plex"
    assert identity.machine_id == plex_server.state.machine_id
    assert identity.version.startswith("1.41")


def test_verify_with_a_wrong_token_is_an_auth_error(plex_server):
    with pytest.raises(ClientError) as caught:
        client(plex_server, token="wrong").verify()
    assert (caught.value.kind, caught.value.status) == ("auth", 401)


def test_verify_when_plex_tv_does_not_know_the_server_is_an_auth_error(plex_server):
    plex_server.tv.fail(404, path="^/api/servers/")
    with pytest.raises(ClientError) as caught:
        client(plex_server).verify()
    assert caught.value.kind == "auth"
    assert "does not own this server" in caught.value.reason


def test_verify_against_jellyfin_is_the_wrong_type(jellyfin_server):
    with pytest.raises(ClientError) as caught:
        client(jellyfin_server).verify()
    assert caught.value.kind == "wrong_type"


def test_verify_of_a_closed_port_is_unreachable(plex_server):
    with pytest.raises(ClientError) as caught:
        client(plex_server, url=f"http://127.0.0.1:{free_port()}").verify()
    assert caught.value.kind == "unreachable"


def test_verify_that_times_out_is_a_timeout(plex_server):
    plex_server.slow(3, path="^/$")
    with pytest.raises(ClientError) as caught:
        client(plex_server, timeout=0.3).verify()
    assert caught.value.kind == "timeout"


def test_a_malformed_root_answer_is_malformed(plex_server):
    plex_server.malformed(path="^/$")
    with pytest.raises(ClientError) as caught:
        client(plex_server).verify()
    assert caught.value.kind == "malformed"


def test_the_fake_server_refuses_a_request_without_the_token(plex_server):
    assert httpx.get(plex_server.url + "/library/sections").status_code == 401
    assert httpx.get(plex_server.url + "/identity").status_code == 200


def test_libraries_are_the_sections_by_key(plex_server):
    found = client(plex_server).libraries()
    assert [(lib.external_id, lib.name) for lib in found] == [("1", "Films"), ("2", "Music")]


def test_sharing_uses_plex_tv_section_ids_the_email_and_the_flags(plex_server):
    made = client(plex_server).create_account(
        request(library_ids=("2",), allow_downloads=True, allow_live_tv=False)
    )
    share = plex_server.state.shares[made.remote_id]
    assert share["email"] == "frank@example.org"
    assert share["section_ids"] == [plex_server.state.sections[1]["tv_id"]]
    assert share["settings"]["allowSync"] == "1"
    assert share["settings"]["allowTuners"] == "0"
    assert made.username == "frank@example.org"
    posted = [r for r in plex_server.tv.requests if r.method == "POST"][-1]
    assert posted.path == f"/api/servers/{plex_server.state.machine_id}/shared_servers"
    assert posted.header("x-plex-token") == plex_server.api_key


def test_sharing_without_library_ids_shares_every_section(plex_server):
    made = client(plex_server).create_account(request())
    expected = sorted(section["tv_id"] for section in plex_server.state.sections)
    assert plex_server.state.shares[made.remote_id]["section_ids"] == expected


def test_sharing_needs_the_invitees_email(plex_server):
    with pytest.raises(ClientError) as caught:
        client(plex_server).create_account(request(email=""))
    assert "email" in caught.value.reason
    assert plex_server.state.shares == {}


def test_an_unknown_section_is_refused_before_sharing(plex_server):
    with pytest.raises(ClientError) as caught:
        client(plex_server).create_account(request(library_ids=("9",)))
    assert caught.value.kind == "not_found"
    assert plex_server.state.shares == {}


def test_plex_tvs_refusal_is_quoted(plex_server):
    client(plex_server).create_account(request())
    with pytest.raises(ClientError) as caught:
        client(plex_server).create_account(request())
    assert (caught.value.kind, caught.value.status) == ("refused", 400)
    assert "already shared" in caught.value.reason
    assert caught.value.reason.startswith("plex.tv at ")


def test_an_unreadable_share_answer_removes_the_share_it_made(plex_server):
    plex_server.tv.lose_share_answers = True
    with pytest.raises(ClientError) as caught:
        client(plex_server).create_account(request())
    assert caught.value.kind == "malformed"
    assert plex_server.state.shares == {}


def test_plex_cannot_disable_a_share(plex_server):
    made = client(plex_server).create_account(request())
    assert client(plex_server).can_disable is False
    with pytest.raises(ClientError) as caught:
        client(plex_server).disable_account(made.remote_id)
    assert "remove it instead" in caught.value.reason


def test_removing_a_share_twice_counts_as_removed(plex_server):
    made = client(plex_server).create_account(request())
    client(plex_server).delete_account(made.remote_id)
    assert plex_server.state.shares == {}
    client(plex_server).delete_account(made.remote_id)


def test_a_plex_tv_outage_while_removing_is_refused(plex_server):
    made = client(plex_server).create_account(request())
    plex_server.tv.fail(503, method="DELETE")
    with pytest.raises(ClientError) as caught:
        client(plex_server).delete_account(made.remote_id)
    assert (caught.value.kind, caught.value.status) == ("refused", 503)
    assert made.remote_id in plex_server.state.shares


def test_no_token_in_reasons_or_logs(plex_server, caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ClientError) as wrong:
        client(plex_server, token="Plex-Secret-5").verify()
    client(plex_server).create_account(request())
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (plex_server.api_key, "Plex-Secret-5"):
        assert secret not in logged
        assert secret not in wrong.value.reason

"""Redeeming an invitation: accounts on every server, no orphan when a server fails, retries
with the same code, used/expired/invalid codes, and two people racing for one code."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from invitations.models import Invitation, MediaUser, Redemption
from invitations.services.redeem import (
    InvitationExpired,
    InvitationInvalid,
    InvitationUsed,
    redeem,
)
from nomarr_site.domain import Invalid

JOIN = {"username": "alice", "password": "long-enough-pw", "email": "alice@example.com"}


def url(server) -> str:
    return server.server_url


@pytest.mark.django_db
def test_redeeming_creates_one_account_per_server_and_uses_a_single_use_code(
    fake_clients, two_servers, invite
):
    jelly, navi = two_servers
    created = invite(unlimited=False, duration="30")
    result = redeem(created.code.lower(), JOIN)
    assert result.complete
    assert [o.status for o in result.outcomes] == ["done", "done"]
    users = MediaUser.objects.order_by("server__name")
    assert [u.server.name for u in users] == ["Jelly", "Navi"]
    assert users[0].person_id == users[1].person_id
    assert users[0].expires > timezone.now() + timedelta(days=29)
    assert len(fake_clients.server(url(jelly)).accounts) == 1
    assert Invitation.objects.with_status().get(pk=created.pk).status == "used"
    with pytest.raises(InvitationUsed):
        redeem(created.code, {**JOIN, "username": "bob"})


@pytest.mark.django_db
def test_the_chosen_libraries_and_flags_reach_the_server(fake_clients, two_servers, invite):
    jelly, _navi = two_servers
    movies = jelly.libraries.get()
    created = invite(library_ids=[movies.pk], allow_downloads=True)
    assert redeem(created.code, JOIN).complete
    (account,) = fake_clients.server(url(jelly)).accounts.values()
    assert account["libraries"] == ("ext-0",)
    assert account["downloads"] is True


@pytest.mark.django_db
def test_a_failing_second_server_leaves_no_account_on_the_first_and_the_code_still_works(
    fake_clients, two_servers, invite
):
    jelly, navi = two_servers
    created = invite(unlimited=False)
    fake_clients.fail(url(navi), "policy", kind="refused")
    result = redeem(created.code, JOIN)
    assert not result.complete
    assert [(o.server, o.status) for o in result.outcomes] == [
        ("Jelly", "undone"),
        ("Navi", "failed"),
    ]
    assert fake_clients.server(url(jelly)).accounts == {}  # made, then removed again
    assert fake_clients.server(url(navi)).accounts == {}
    assert fake_clients.server(url(navi)).created_then_removed  # the client's own clean-up
    assert not MediaUser.objects.exists()
    assert Invitation.objects.with_status().get(pk=created.pk).status == "pending"
    failed = Redemption.objects.get(server=navi)
    assert failed.status == "failed" and "policy failed" in failed.error
    assert Redemption.objects.get(server=jelly).error == "Removed again: Navi failed"

    del fake_clients.server(url(navi)).fail["policy"]
    retried = redeem(created.code, {**JOIN, "password": "another-password"})
    assert retried.complete
    for server in (jelly, navi):  # one account each, both with the password that worked
        (account,) = fake_clients.server(url(server)).accounts.values()
        assert account["password"] == "another-password"
    assert Invitation.objects.with_status().get(pk=created.pk).status == "used"


@pytest.mark.django_db
def test_an_account_the_server_will_not_remove_again_stays_recorded(
    fake_clients, two_servers, invite
):
    jelly, navi = two_servers
    created = invite(unlimited=False)
    fake_clients.fail(url(navi), "create")
    fake_clients.fail(url(jelly), "delete", kind="unreachable")
    result = redeem(created.code, JOIN)
    assert [o.status for o in result.outcomes] == ["done", "failed"]
    assert MediaUser.objects.get().server == jelly  # known, so never orphaned or made twice
    with pytest.raises(InvitationUsed, match="already being used"):
        redeem(created.code, {**JOIN, "username": "mallory"})


@pytest.mark.django_db
def test_someone_else_may_claim_a_code_whose_every_attempt_failed(
    fake_clients, two_servers, invite
):
    jelly, navi = two_servers
    created = invite(unlimited=False)
    fake_clients.fail(url(jelly), "create", reason="user name taken")
    fake_clients.fail(url(navi), "create", reason="user name taken")
    first = redeem(created.code, JOIN)
    assert [o.status for o in first.outcomes] == ["failed", "failed"]
    assert "user name taken" in first.outcomes[0].message
    fake_clients.server(url(jelly)).fail.clear()
    fake_clients.server(url(navi)).fail.clear()
    second = redeem(created.code, {**JOIN, "username": "alice2"})
    assert second.complete and second.username == "alice2"
    assert {u.username for u in MediaUser.objects.all()} == {"alice2"}


@pytest.mark.django_db
def test_the_invitee_never_reads_the_servers_address_or_internal_reason(
    fake_clients, make_server, invite
):
    server = make_server()
    created = invite()
    fake_clients.fail(url(server), "create", kind="unreachable", reason="down at http://10.0.0.5")
    (outcome,) = redeem(created.code, JOIN).outcomes
    assert "10.0.0.5" not in outcome.message
    assert "try again later" in outcome.message


@pytest.mark.django_db
def test_a_multi_use_code_gives_each_person_their_own_accounts(fake_clients, make_server, invite):
    server = make_server()
    created = invite(unlimited=True)
    assert redeem(created.code, JOIN).complete
    assert redeem(created.code, {**JOIN, "username": "bob"}).complete
    assert len(fake_clients.server(url(server)).accounts) == 2
    annotated = Invitation.objects.with_status().get(pk=created.pk)
    assert annotated.status == "pending"
    assert annotated.used_by.username == "bob"


@pytest.mark.django_db
def test_invalid_and_expired_codes_are_refused(fake_clients, make_server, invite):
    make_server()
    with pytest.raises(InvitationInvalid):
        redeem("NOSUCHCODE22", JOIN)
    with pytest.raises(InvitationInvalid):
        redeem("x" * 5000, JOIN)
    created = invite(expires_in_days=1)
    Invitation.objects.filter(pk=created.pk).update(expires=timezone.now() - timedelta(hours=1))
    with pytest.raises(InvitationExpired):
        redeem(created.code, JOIN)
    assert not MediaUser.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"username": "a"}, "username"),
        ({"username": "bad name!"}, "username"),
        ({"username": ["alice"]}, "username"),
        ({"password": "short"}, "password"),
        ({"password": "x" * 129}, "password"),
        ({"email": "not-an-address"}, "email"),
    ],
)
def test_bad_join_details_are_refused_before_any_server_is_asked(
    fake_clients, make_server, invite, change, field
):
    make_server()
    created = invite()
    with pytest.raises(Invalid) as raised:
        redeem(created.code, {**JOIN, **change})
    assert raised.value.field == field
    assert fake_clients.calls == []


@pytest.mark.django_db
def test_plex_needs_the_invitees_email(fake_clients, make_server, invite):
    make_server("Plexy", "plex")
    created = invite()
    with pytest.raises(Invalid, match="Plex") as raised:
        redeem(created.code, {**JOIN, "email": ""})
    assert raised.value.field == "email"


@pytest.mark.django_db
def test_the_join_request_never_shows_the_password():
    from invitations.services.join_rules import JoinRequest

    assert "long-enough-pw" not in repr(JoinRequest("alice", "long-enough-pw"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_name", [False, True])
def test_two_people_redeeming_one_single_use_code_at_once_make_one_account_per_server(
    fake_clients, two_servers, invite, same_name
):
    jelly, navi = two_servers
    created = invite(unlimited=False)
    for server in two_servers:
        fake_clients.server(url(server)).delay = 0.2  # both requests are inside at once
    start = threading.Barrier(2)
    results, errors = [], []

    def attempt(name: str) -> None:
        try:
            start.wait()
            results.append(redeem(created.code, {**JOIN, "username": name}))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    names = ["alice", "alice"] if same_name else ["alice", "bob"]
    threads = [threading.Thread(target=attempt, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    for server in (jelly, navi):
        assert len(fake_clients.server(url(server)).accounts) == 1
        assert MediaUser.objects.filter(server=server).count() == 1
    assert all(isinstance(e, InvitationUsed) for e in errors), errors
    assert len(results) + len(errors) == 2


@pytest.mark.django_db
def test_an_invitation_whose_servers_were_all_removed_is_not_valid(
    fake_clients, make_server, invite
):
    server = make_server()
    created = invite(unlimited=False)
    server.delete()
    with pytest.raises(InvitationInvalid):
        redeem(created.code, JOIN)
    assert Invitation.objects.with_status().get(pk=created.pk).status == "pending"

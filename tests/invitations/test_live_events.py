"""Live updates of the invitations, users and servers pages: every change is announced in the
room `invitations` with the object as the API returns it (whoever made it: a page, the API, an
invitee, the expiry job), the SSE stream delivers the events to an admin's browser session, and
each page's rows are a fragment of their own that the page re-reads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.test import AsyncClient, Client
from django.utils import timezone

from invitations.models import MediaUser
from invitations.services import invites, redeem, servers, users
from invitations.shapes import invitation_json, server_json, user_json
from nomarr_site import config
from nomarr_site.events import envelope, sender
from nomarr_site.models import OutboxEvent
from tests.nomarr_site.test_events_sse import Reader
from tests.support.aio import run_scenario

JOIN = {"username": "alice", "password": "long-enough-pw", "email": "alice@example.org"}


@pytest.fixture
def sent(monkeypatch):
    """The (room, type, data) of each event sent, as the transports would carry it."""
    calls: list[tuple[str, str, dict]] = []

    def record(room: str, event_type: str, data: dict) -> None:
        calls.append((room, event_type, envelope.make(event_type, data)["data"]))

    monkeypatch.setattr(sender, "emit", record)
    return calls


def actions(sent, name: str) -> list[tuple[str, int]]:
    return [(data["action"], data["id"]) for _room, kind, data in sent if kind == name]


@pytest.mark.django_db
def test_creating_and_deleting_an_invitation_announce_it(sent, make_server, invite):
    make_server()
    created = invite()
    assert sent[0][:2] == ("invitations", "invitations.invitation")
    assert sent[0][2]["invitation"] == invitation_json(invites.get_invitation(created.pk))
    invites.delete_invitation(created.pk)
    assert actions(sent, "invitations.invitation") == [
        ("created", created.pk),
        ("deleted", created.pk),
    ]
    assert sent[-1][2]["invitation"] is None


@pytest.mark.django_db
def test_redeeming_announces_the_accounts_and_the_used_invitation(
    sent, fake_clients, two_servers, invite
):
    created = invite(unlimited=False)
    sent.clear()
    redeem.redeem(created.code, JOIN)
    made = list(MediaUser.objects.order_by("id"))
    assert actions(sent, "invitations.user") == [("created", user.pk) for user in made]
    assert [data["user"] for _r, kind, data in sent if kind == "invitations.user"] == [
        user_json(user) for user in made
    ]
    redeemed = [data for _r, kind, data in sent if kind == "invitations.invitation"]
    assert [(data["action"], data["invitation"]["status"]) for data in redeemed] == [
        ("redeemed", "used")
    ]


@pytest.mark.django_db
def test_accounts_removed_again_after_a_failure_are_announced_gone(
    sent, fake_clients, two_servers, invite
):
    _jelly, navi = two_servers
    fake_clients.fail(navi.server_url, "create", kind="unreachable")
    created = invite(unlimited=False)
    sent.clear()
    redeem.redeem(created.code, JOIN)
    user_events = actions(sent, "invitations.user")
    assert [action for action, _pk in user_events] == ["created", "deleted"]
    assert user_events[0][1] == user_events[1][1]
    assert actions(sent, "invitations.invitation") == []  # not used: nothing changed there


@pytest.mark.django_db
def test_extending_deleting_and_expiring_users_are_announced(
    sent, fake_clients, make_server, invite
):
    make_server()
    code = invite().code
    for name in ("ann", "bob", "cid"):
        redeem.redeem(code, {**JOIN, "username": name})
    ann, bob, cid = MediaUser.objects.order_by("username")
    sent.clear()
    users.extend_user(ann.pk, 5)
    users.delete_user(bob.pk)
    MediaUser.objects.filter(pk=cid.pk).update(expires=timezone.now() - timedelta(days=1))
    users.expire_users()
    assert actions(sent, "invitations.user") == [
        ("extended", ann.pk),
        ("deleted", bob.pk),
        ("disabled", cid.pk),
    ]
    disabled = sent[-1][2]["user"]
    assert disabled["username"] == "cid"
    config.set_value("expired_user_action", "delete")
    MediaUser.objects.filter(pk=cid.pk).update(disabled=False)  # due again
    users.expire_users()
    assert actions(sent, "invitations.user")[-1] == ("deleted", cid.pk)


@pytest.mark.django_db
def test_server_changes_are_announced_without_credentials(sent, fake_clients):
    server = servers.add_server(
        {
            "name": "Jelly",
            "server_type": "jellyfin",
            "server_url": "http://127.0.0.1:9/j",
            "token": "tok-live-SECRET",
        }
    )
    servers.verify_server(server.pk)
    servers.sync_libraries(server.pk)
    servers.delete_server(server.pk)
    assert actions(sent, "invitations.server") == [
        ("added", server.pk),
        ("verified", server.pk),
        ("synced", server.pk),
        ("removed", server.pk),
    ]
    assert "tok-live-SECRET" not in repr(sent)
    assert set(sent[0][2]["server"]) == set(server_json(server))


@pytest.mark.django_db(transaction=True)
def test_the_expiry_job_writes_its_events_to_the_outbox_for_the_web_process(
    fake_clients, make_server, invite
):
    make_server()
    redeem.redeem(invite().code, JOIN)
    MediaUser.objects.update(expires=timezone.now() - timedelta(days=1))
    OutboxEvent.objects.all().delete()
    users.expire_users()
    rows = [row.envelope for row in OutboxEvent.objects.order_by("id")]
    assert [(e["type"], e["data"]["action"]) for e in rows] == [("invitations.user", "disabled")]
    assert OutboxEvent.objects.get().room == "invitations"


@pytest.fixture
def _embedded_layer(settings):
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.mark.django_db(transaction=True)
def test_an_admin_browser_session_receives_invitation_events_over_sse(
    _embedded_layer, admin_browser, make_server, fake_clients
):
    make_server()

    async def scenario():
        client = AsyncClient()
        client.cookies["sessionid"] = admin_browser.cookies["sessionid"].value
        response = await client.get("/api/web/events/status?rooms=invitations")
        assert response.status_code == 200
        reader = Reader(response)
        assert "retry" in await reader.next()
        created = await sync_to_async(invites.create_invitation)({"unlimited": False})
        frame = await reader.until("invitations:invitation")
        assert frame["data"]["action"] == "created"
        assert frame["data"]["invitation"]["code"] == created.code
        assert int(frame["id"]) > 0
        await sync_to_async(redeem.redeem)(created.code, JOIN)
        user = await reader.until("invitations:user")
        assert user["data"]["user"]["username"] == "alice"
        used = await reader.until("invitations:invitation")
        assert used["data"]["invitation"]["status"] == "used"
        await reader.chunks.aclose()

    run_scenario(scenario)


@pytest.mark.django_db
def test_the_row_fragments_need_the_admin_and_follow_the_search(
    admin_browser, fake_clients, make_server, invite
):
    make_server("Jelly")
    created = invite()
    for name in ("ann", "bob"):
        redeem.redeem(created.code, {**JOIN, "username": name})
    for url in ("/web/invitations/rows", "/web/users/rows", "/web/servers/rows"):
        assert Client().get(url).status_code == 302  # to the login page
        html = admin_browser.get(url).content.decode()
        assert "<tr" in html and "<html" not in html
    assert created.code in admin_browser.get("/web/invitations/rows").content.decode()
    found = admin_browser.get("/web/users/rows", {"search": "bob"}).content.decode()
    assert 'data-user="' in found and ">bob" in found and ">ann" not in found
    assert "Jelly" in admin_browser.get("/web/servers/rows").content.decode()


@pytest.mark.django_db
def test_each_page_subscribes_to_the_invitations_room_through_its_data_attributes(
    admin_browser, make_server
):
    make_server()
    for page, rows in [
        ("/web/invitations", "/web/invitations/rows"),
        ("/web/servers", "/web/servers/rows"),
        ("/web/users?search=a%20b", "/web/users/rows?search=a%20b"),
    ]:
        html = admin_browser.get(page).content.decode()
        assert 'data-events-url="/api/web/events/status?rooms=invitations"' in html
        assert f'data-rows-url="{rows}"' in html
        assert "js/invitations.js" in html

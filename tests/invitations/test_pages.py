"""The owner's pages: servers (add, verify, sync, remove), invitations (create, link, QR code,
delete) and users (search, extend, delete), each action a form post that redirects back with
a message; credentials never appear on a page or in the log."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from invitations.models import Invitation, MediaServer, MediaUser, ServerLibrary
from tests.invitations.conftest import SECRET_TOKEN

pytestmark = pytest.mark.django_db


def post(browser, path, data=None):
    """A form post with the CSRF token the pages carry, following the redirect."""
    browser.get("/web/servers")
    token = browser.cookies["csrftoken"].value
    return browser.post(path, {**(data or {}), "csrfmiddlewaretoken": token}, follow=True)


@pytest.mark.parametrize("url", ["/web/servers", "/web/invitations", "/web/users"])
def test_each_page_is_in_the_menu_and_needs_a_login(admin_browser, client, url):
    response = admin_browser.get(url)
    assert response.status_code == 200
    assert f'href="{url}"' in response.content.decode()
    assert client.get(url).status_code == 302


def test_adding_a_server_stores_its_token_encrypted_and_never_shows_it(
    admin_browser, fake_clients, caplog
):
    caplog.set_level(logging.DEBUG)
    form = {
        "name": "Home Jellyfin",
        "server_type": "jellyfin",
        "server_url": "http://127.0.0.1:8096/",
        "token": SECRET_TOKEN,
        "allow_downloads": "on",
    }
    page = post(admin_browser, "/web/servers/add", form).content.decode()
    assert "Server Home Jellyfin added" in page
    server = MediaServer.objects.get()
    assert server.server_url == "http://127.0.0.1:8096" and server.allow_downloads
    assert server.connection().token == SECRET_TOKEN
    assert SECRET_TOKEN not in page and SECRET_TOKEN not in server.credentials_encrypted

    verified = post(admin_browser, f"/web/servers/{server.pk}/verify").content.decode()
    assert "Verified" in verified
    synced = post(admin_browser, f"/web/servers/{server.pk}/sync").content.decode()
    assert "2 found" in synced and "Movies" in synced
    assert ServerLibrary.objects.filter(server=server).count() == 2
    assert SECRET_TOKEN not in verified + synced + caplog.text


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"server_type": "kodi"}, "server_type must be one of"),
        ({"server_url": "ftp://x"}, "http:// or https://"),
        ({"token": ""}, "token is required"),
        ({"name": ""}, "name is required"),
    ],
)
def test_a_bad_server_form_says_why(admin_browser, change, words):
    form = {"name": "S", "server_type": "jellyfin", "server_url": "http://h", "token": "t"}
    page = post(admin_browser, "/web/servers/add", {**form, **change}).content.decode()
    assert words in page
    assert not MediaServer.objects.exists()


def test_navidrome_needs_an_admin_name_and_password(admin_browser):
    form = {"name": "N", "server_type": "navidrome", "server_url": "http://h:4533"}
    assert "username is required" in post(admin_browser, "/web/servers/add", form).content.decode()
    post(admin_browser, "/web/servers/add", {**form, "username": "admin", "password": "pw"})
    assert MediaServer.objects.get().connection().password == "pw"


def test_a_server_that_does_not_verify_says_why(admin_browser, fake_clients, make_server):
    server = make_server()
    fake_clients.fail(server.server_url, "verify", kind="auth", reason="the API key was refused")
    page = post(admin_browser, f"/web/servers/{server.pk}/verify").content.decode()
    assert "the API key was refused" in page
    assert not MediaServer.objects.get().verified


def test_removing_a_server(admin_browser, make_server):
    server = make_server()
    assert (
        "Server Jelly removed"
        in post(admin_browser, f"/web/servers/{server.pk}/delete").content.decode()
    )
    assert not MediaServer.objects.exists()


def test_creating_an_invitation_shows_its_link_and_qr_code(admin_browser, two_servers):
    jelly, _navi = two_servers
    form = {
        "expires_in_days": "7",
        "duration": "30",
        "library_ids": [str(jelly.libraries.get().pk)],
        "code": "abcdefghjk",
    }
    page = post(admin_browser, "/web/invitations/create", form).content.decode()
    assert "Invitation ABCDEFGHJK created" in page
    assert "http://testserver/j/ABCDEFGHJK" in page
    assert 'data-copy="http://testserver/j/ABCDEFGHJK"' in page
    assert "<svg" in page
    created = Invitation.objects.get()
    assert created.duration == "30" and created.unlimited is False and created.expires


@pytest.mark.parametrize(
    ("form", "words"),
    [
        ({"expires_in_days": "14"}, "expires_in_days must be"),
        ({"duration": "soon"}, "duration must be"),
        ({"library_ids": ["99999"]}, "No library has the id"),
        ({"code": "0O1IL0O1IL"}, "cannot be mistaken"),
    ],
)
def test_a_bad_invitation_form_says_why(admin_browser, make_server, form, words):
    make_server()
    assert words in post(admin_browser, "/web/invitations/create", form).content.decode()
    assert not Invitation.objects.exists()


def test_deleting_an_invitation(admin_browser, make_server, invite):
    make_server()
    created = invite(code="ABCDEFGHJK")
    page = post(admin_browser, f"/web/invitations/{created.pk}/delete").content.decode()
    assert "Invitation ABCDEFGHJK deleted" in page


def test_users_can_be_searched_extended_and_deleted(admin_browser, fake_clients, make_server):
    server = make_server()
    fake_clients.server(server.server_url).accounts["r1"] = {"username": "alice"}
    expires = timezone.now() + timedelta(days=1)
    alice = MediaUser.objects.create(
        server=server, username="alice", remote_id="r1", expires=expires
    )
    MediaUser.objects.create(server=server, username="bob", remote_id="r2")
    found = admin_browser.get("/web/users", {"search": "ali"}).content.decode()
    assert "alice" in found and "bob" not in found
    page = post(admin_browser, f"/web/users/{alice.pk}/extend", {"days": "10"}).content.decode()
    assert "extended by 10 days" in page
    assert MediaUser.objects.get(pk=alice.pk).expires == expires + timedelta(days=10)
    assert (
        "days must be"
        in post(admin_browser, f"/web/users/{alice.pk}/extend", {"days": "0"}).content.decode()
    )
    page = post(admin_browser, f"/web/users/{alice.pk}/delete").content.decode()
    assert "User alice deleted." in page
    assert fake_clients.server(server.server_url).accounts == {}


def test_a_user_the_server_will_not_delete_stays_unless_forced(
    admin_browser, fake_clients, make_server
):
    server = make_server()
    user = MediaUser.objects.create(server=server, username="carol", remote_id="r3")
    fake_clients.fail(server.server_url, "delete", reason="nope")
    assert "was not deleted" in post(admin_browser, f"/web/users/{user.pk}/delete").content.decode()
    assert MediaUser.objects.filter(pk=user.pk).exists()
    page = post(admin_browser, f"/web/users/{user.pk}/delete", {"force": "on"}).content.decode()
    assert "may remain there" in page
    assert not MediaUser.objects.exists()


def test_actions_need_a_post_with_a_csrf_token(admin_browser, make_server):
    server = make_server()
    assert admin_browser.get(f"/web/servers/{server.pk}/delete").status_code == 405
    assert admin_browser.post(f"/web/servers/{server.pk}/delete").status_code == 403
    assert MediaServer.objects.exists()

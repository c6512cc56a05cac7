"""Redemption and expiry through the real clients against fake Jellyfin and Navidrome servers
on 127.0.0.1: servers added, verified and synced as the owner does, the public join page
posted as an invitee does, and the accounts looked for on the servers themselves."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from invitations.models import Invitation, MediaUser
from invitations.services import servers as server_service
from invitations.services.invites import create_invitation
from invitations.services.users import expire_users

pytestmark = pytest.mark.django_db

PASSWORD = "Invitee-Passw0rd"


@pytest.fixture
def owned(jellyfin_server, navidrome_server):
    """Both fakes added, verified and synced through the services the pages use."""
    jelly = server_service.add_server(
        {
            "name": "Jelly",
            "server_type": "jellyfin",
            "server_url": jellyfin_server.url,
            "token": jellyfin_server.api_key,
        }
    )
    navi = server_service.add_server(
        {
            "name": "Navi",
            "server_type": "navidrome",
            "server_url": navidrome_server.url,
            "username": navidrome_server.admin_username,
            "password": navidrome_server.admin_password,
        }
    )
    for server in (jelly, navi):
        server_service.verify_server(server.pk)
        server_service.sync_libraries(server.pk)
    return jelly, navi


def users_named(fake, name: str) -> list[dict]:
    key = "Name" if "Name" in next(iter(fake.users.values()), {"Name": ""}) else "userName"
    return [user for user in fake.users.values() if user.get(key, "").lower() == name]


def join(code: str, username: str = "alice"):
    data = {"username": username, "password": PASSWORD, "email": f"{username}@example.org"}
    return Client().post(f"/j/{code}", data)


def test_an_invitee_gets_an_account_on_each_real_server_with_the_granted_libraries(
    owned, jellyfin_server, navidrome_server
):
    jelly, _navi = owned
    music = jelly.libraries.get(name="Music")
    jazz = owned[1].libraries.get(name="Jazz")
    invitation = create_invitation({"unlimited": False, "library_ids": [music.pk, jazz.pk]})
    response = join(invitation.code)
    assert response.status_code == 200
    assert "Welcome, alice" in response.content.decode()
    (jelly_user,) = users_named(jellyfin_server, "alice")
    policy = jelly_user["Policy"]
    assert policy["EnableAllFolders"] is False
    assert policy["EnabledFolders"] == [music.external_id]
    assert len(users_named(navidrome_server, "alice")) == 1
    assert MediaUser.objects.count() == 2
    assert Invitation.objects.with_status().get(pk=invitation.pk).status == "used"


def test_the_second_server_failing_leaves_no_account_on_the_first_and_the_code_works_later(
    owned, jellyfin_server, navidrome_server
):
    invitation = create_invitation({"unlimited": False})
    navidrome_server.fail(500, path=r"/api/user$", method="POST")
    response = join(invitation.code)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Almost there" in page and "none was kept" in page
    assert users_named(jellyfin_server, "alice") == []  # made, then deleted again
    assert users_named(navidrome_server, "alice") == []
    assert not MediaUser.objects.exists()
    assert Invitation.objects.with_status().get(pk=invitation.pk).status == "pending"

    again = join(invitation.code)
    assert "Welcome, alice" in again.content.decode()
    assert len(users_named(jellyfin_server, "alice")) == 1
    assert len(users_named(navidrome_server, "alice")) == 1


def test_expiry_disables_on_jellyfin_and_deletes_on_navidrome(
    owned, jellyfin_server, navidrome_server
):
    invitation = create_invitation({"unlimited": False, "duration": "7"})
    join(invitation.code)
    MediaUser.objects.update(expires=timezone.now() - timezone.timedelta(minutes=1))
    summary = expire_users()
    assert (summary.disabled, summary.deleted, summary.failures) == (1, 1, [])
    (jelly_user,) = users_named(jellyfin_server, "alice")
    assert jelly_user["Policy"]["IsDisabled"] is True
    assert users_named(navidrome_server, "alice") == []

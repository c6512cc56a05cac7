"""The reference endpoints (Wizarr's shapes) with API keys: status, users, invitations,
libraries, servers; bad inputs; a `tag` key refused; no credential in any answer."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from invitations.models import ExpiryAction, Invitation, MediaUser
from tests.invitations.conftest import SECRET_TOKEN

pytestmark = pytest.mark.django_db


@pytest.fixture
def keyed(api_key):
    """A script sending its full API key as X-API-Key, as the reference shows."""
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=api_key.clear)
    return client


def add_user(server, fake_clients, name="john_doe", expires=None):
    fake_clients.server(server.server_url).accounts[f"r-{name}"] = {"username": name}
    return MediaUser.objects.create(
        server=server,
        username=name,
        email=f"{name}@example.com",
        remote_id=f"r-{name}",
        expires=expires,
    )


def test_status_counts_users_and_invitations(keyed, fake_clients, make_server, invite):
    server = make_server()
    add_user(server, fake_clients)
    invite()
    old = invite(expires_in_days=1)
    Invitation.objects.filter(pk=old.pk).update(expires=timezone.now() - timedelta(days=1))
    response = keyed.get("/api/status")
    assert response.status_code == 200
    assert response.json() == {"users": 1, "invites": 2, "pending": 1, "expired": 1}


def test_users_are_listed_with_the_reference_fields(keyed, fake_clients, make_server):
    server = make_server("Main Plex Server", "plex")
    user = add_user(server, fake_clients, expires=timezone.now() + timedelta(days=3))
    body = keyed.get("/api/users").json()
    assert body["count"] == 1
    (item,) = body["users"]
    assert set(item) == {"id", "username", "email", "server", "server_type", "expires", "created"}
    assert item["server"] == "Main Plex Server" and item["server_type"] == "plex"
    assert item["id"] == user.pk and item["expires"].endswith("Z")
    assert keyed.get("/api/users", {"search": "nobody"}).json()["count"] == 0


def test_deleting_a_user_removes_the_remote_account_too(keyed, fake_clients, make_server):
    server = make_server()
    user = add_user(server, fake_clients)
    response = keyed.delete(f"/api/users/{user.pk}")
    assert response.status_code == 200
    assert response.json() == {"message": "User john_doe deleted successfully"}
    assert fake_clients.server(server.server_url).accounts == {}
    assert not MediaUser.objects.exists()
    assert keyed.delete(f"/api/users/{user.pk}").json()["message"] == "User not found"


def test_a_refused_remote_deletion_is_reported_and_keeps_the_user_unless_forced(
    keyed, fake_clients, make_server
):
    server = make_server()
    user = add_user(server, fake_clients)
    fake_clients.fail(server.server_url, "delete", reason="server said no")
    response = keyed.delete(f"/api/users/{user.pk}")
    assert response.status_code == 409
    assert "server said no" in response.json()["message"]
    assert MediaUser.objects.filter(pk=user.pk).exists()
    forced = keyed.delete(f"/api/users/{user.pk}?force=true")
    assert forced.status_code == 200
    assert "refused to remove the account" in forced.json()["message"]
    assert not MediaUser.objects.exists()
    assert ExpiryAction.objects.filter(succeeded=False).count() == 2
    assert keyed.delete(f"/api/users/{user.pk}?force=maybe").status_code == 400


def test_extending_a_user_answers_the_reference_message(keyed, fake_clients, make_server):
    server = make_server()
    expires = timezone.now().replace(microsecond=0) + timedelta(days=2)
    user = add_user(server, fake_clients, expires=expires)
    response = keyed.post(f"/api/users/{user.pk}/extend", {"days": 14}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "User john_doe expiry extended by 14 days"
    from nomarr_site.timefmt import utc_iso

    assert body["new_expiry"] == utc_iso(expires + timedelta(days=14))
    default = keyed.post(f"/api/users/{user.pk}/extend", format="json").json()
    assert default["message"].endswith("by 30 days")


@pytest.mark.parametrize("body", [{"days": 0}, {"days": -2}, {"days": "7"}, {"days": True}, [1]])
def test_extending_by_a_bad_number_of_days_is_400(keyed, fake_clients, make_server, body):
    user = add_user(make_server(), fake_clients)
    response = keyed.post(f"/api/users/{user.pk}/extend", body, format="json")
    assert response.status_code == 400


def test_creating_an_invitation_answers_201_with_the_envelope(keyed, two_servers):
    jelly, _navi = two_servers
    movies = jelly.libraries.get()
    response = keyed.post(
        "/api/invitations",
        {"expires_in_days": 7, "duration": "30", "unlimited": False, "library_ids": [movies.pk]},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["message"] == "Invitation created successfully"
    assert set(body["invitation"]) == {
        "id",
        "code",
        "expires",
        "duration",
        "unlimited",
        "display_name",
        "server_names",
        "uses_global_setting",
    }
    assert body["invitation"]["server_names"] == ["Jelly"]
    assert body["invitation"]["duration"] == "30"


def test_invitations_are_listed_with_the_reference_fields(keyed, two_servers, invite):
    created = invite()
    body = keyed.get("/api/invitations").json()
    assert body["count"] == 1
    (item,) = body["invitations"]
    assert set(item) == {
        "id",
        "code",
        "status",
        "created",
        "expires",
        "used_at",
        "used_by",
        "duration",
        "unlimited",
        "specific_libraries",
        "display_name",
        "server_names",
        "uses_global_setting",
    }
    assert item["code"] == created.code and item["status"] == "pending"
    assert item["display_name"] == "Jelly, Navi" and item["specific_libraries"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"expires_in_days": 14}, "expires_in_days"),
        ({"expires_in_days": "7"}, "expires_in_days"),
        ({"duration": "forever"}, "duration"),
        ({"library_ids": [123456]}, "library_ids"),
        ({"unlimited": "no"}, "unlimited"),
        ({"code": "short"}, "code"),
    ],
)
def test_a_bad_invitation_request_is_400_naming_the_field(keyed, make_server, body, field):
    make_server()
    response = keyed.post("/api/invitations", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["details"]["fields"]
    assert not Invitation.objects.exists()


def test_a_non_object_body_is_400(keyed, make_server):
    make_server()
    assert keyed.post("/api/invitations", [1, 2], format="json").status_code == 400


def test_deleting_an_invitation_names_its_code(keyed, make_server, invite):
    make_server()
    created = invite(code="ABCDEFGHJK")
    response = keyed.delete(f"/api/invitations/{created.pk}")
    assert response.json() == {"message": "Invitation ABCDEFGHJK deleted successfully"}
    assert keyed.delete(f"/api/invitations/{created.pk}").status_code == 404


def test_libraries_and_servers_are_listed_without_secrets(keyed, make_server, caplog):
    caplog.set_level(logging.DEBUG)
    server = make_server("Main", "jellyfin", external_url="https://media.example.com")
    libraries = keyed.get("/api/libraries").json()
    assert libraries == {
        "libraries": [{"id": server.libraries.get().pk, "name": "Movies", "server_id": server.pk}],
        "count": 1,
    }
    response = keyed.get("/api/servers")
    (item,) = response.json()["servers"]
    assert set(item) == {
        "id",
        "name",
        "server_type",
        "server_url",
        "external_url",
        "verified",
        "allow_downloads",
        "allow_live_tv",
        "allow_mobile_uploads",
        "created_at",
    }
    assert item["external_url"] == "https://media.example.com"
    assert SECRET_TOKEN not in response.content.decode()
    assert server.credentials_encrypted not in response.content.decode()
    assert SECRET_TOKEN not in caplog.text


def test_a_server_without_an_external_url_shows_null(keyed, make_server):
    make_server()
    assert keyed.get("/api/servers").json()["servers"][0]["external_url"] is None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/status"),
        ("get", "/api/users"),
        ("get", "/api/invitations"),
        ("post", "/api/invitations"),
        ("get", "/api/libraries"),
        ("get", "/api/servers"),
    ],
)
def test_a_tag_scope_key_is_refused_and_no_key_is_401(anonymous, method, path):
    from nomarr_site.models import ApiKey

    assert getattr(anonymous, method)(path).status_code == 401
    _key, clear = ApiKey.create_key("lidarr", scope=ApiKey.Scope.TAG)
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=clear)
    assert getattr(client, method)(path).status_code == 403


def test_the_other_key_forms_and_a_session_token_work(api_key, token_holder, make_server):
    make_server()
    assert APIClient().get(f"/api/servers?apikey={api_key.clear}").status_code == 200
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key.clear}")
    assert bearer.get("/api/servers").status_code == 200
    assert token_holder.get("/api/servers").status_code == 200


def test_an_invalid_key_is_401(anonymous):
    anonymous.credentials(HTTP_X_API_KEY="nmr_nope")
    response = anonymous.get("/api/status")
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid API key"

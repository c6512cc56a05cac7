"""Secrets never leave: a server's token and an invitee's password appear in no API answer,
no page (the backoffice's included) and no log line, through a whole invitation's life."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from invitations.models import MediaServer, MediaUser
from tests.invitations.conftest import SECRET_TOKEN

pytestmark = pytest.mark.django_db

INVITEE_PASSWORD = "invitee-PASSWORD-4242"


def test_no_secret_in_any_answer_page_or_log_line(admin_browser, api_key, fake_clients, caplog):
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    admin_browser.get("/web/servers")
    csrf = {"csrfmiddlewaretoken": admin_browser.cookies["csrftoken"].value}

    def page(path: str, data: dict | None = None) -> None:
        if data is None:
            response = admin_browser.get(path)
        else:
            response = admin_browser.post(path, {**data, **csrf}, follow=True)
        assert response.status_code == 200, path
        seen.append(response.content.decode())

    page(
        "/web/servers/add",
        {"name": "S", "server_type": "jellyfin", "server_url": "http://h", "token": SECRET_TOKEN},
    )
    server = MediaServer.objects.get()
    page(f"/web/servers/{server.pk}/verify", {})
    page(f"/web/servers/{server.pk}/sync", {})
    fake_clients.fail(server.server_url, "verify", kind="auth", reason="key refused (401)")
    page(f"/web/servers/{server.pk}/verify", {})
    page("/web/invitations/create", {"duration": "1"})
    page("/web/servers")
    page("/web/invitations")
    page(f"/backoffice/invitations/mediaserver/{server.pk}/change/")

    api = APIClient()
    api.credentials(HTTP_X_API_KEY=api_key.clear)
    code = api.get("/api/invitations").json()["invitations"][0]["code"]
    joined = Client().post(
        f"/j/{code}", {"username": "alice", "password": INVITEE_PASSWORD, "email": ""}
    )
    seen.append(joined.content.decode())
    MediaUser.objects.update(expires=timezone.now() - timedelta(days=1))
    from invitations.services.users import expire_users

    expire_users()
    page("/web/users")
    for path in ["/api/status", "/api/users", "/api/invitations", "/api/libraries", "/api/servers"]:
        seen.append(api.get(path).content.decode())

    everything = "\n".join(seen) + caplog.text
    assert "Welcome, alice" in everything  # the flow really ran
    for secret in (SECRET_TOKEN, INVITEE_PASSWORD, server.credentials_encrypted):
        assert secret not in everything

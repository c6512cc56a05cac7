"""Signing in with Plex on the join page against the fake plex.tv: the PIN stays in the
visitor's session, the Plex account is read on the server, its e-mail is the one the share
goes to (whatever the form says), the poll endpoint, and the shared rate limit."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from django.core.cache import cache
from django.test import Client

from invitations.services import plex_signin
from invitations.services import servers as server_service
from invitations.services.invites import create_invitation

pytestmark = pytest.mark.django_db

FORM = {"username": "gina", "password": "Invitee-Passw0rd", "email": "typed@example.org"}


@pytest.fixture(autouse=True)
def no_poll_pause(monkeypatch):
    monkeypatch.setattr(plex_signin, "CHECK_SECONDS", 0.0)
    cache.clear()


@pytest.fixture
def plex_invite(plex_server):
    server = server_service.add_server(
        {
            "name": "Attic",
            "server_type": "plex",
            "server_url": plex_server.url,
            "token": plex_server.api_key,
        }
    )
    server_service.verify_server(server.pk)
    server_service.sync_libraries(server.pk)
    return create_invitation({"unlimited": False})


def start(visitor: Client, code: str) -> int:
    """Press "Sign in with Plex"; returns the PIN id plex.tv made."""
    response = visitor.post(f"/j/{code}/plex")
    assert response.status_code == 302
    target = response["Location"]
    assert target.startswith("https://app.plex.tv/auth#?")
    query = parse_qs(target.split("#?", 1)[1])
    assert query["forwardUrl"] == [f"http://testserver/j/{code}"]
    return int(visitor.session[plex_signin.SESSION_KEY][code]["pin_id"])


def test_the_join_page_offers_plex_sign_in_only_when_plex_is_granted(
    plex_invite, make_server, invite
):
    assert "Sign in with Plex" in Client().get(f"/j/{plex_invite.code}").content.decode()
    make_server("Jelly", "jellyfin")
    other = invite(library_ids=[make_server("Jelly2").libraries.get().pk])
    assert "Sign in with Plex" not in Client().get(f"/j/{other.code}").content.decode()
    assert Client().post(f"/j/{other.code}/plex").status_code == 400


def test_signing_in_with_plex_shares_with_the_plex_accounts_email(plex_invite, plex_server):
    visitor = Client()
    pin_id = start(visitor, plex_invite.code)
    waiting = visitor.get(f"/j/{plex_invite.code}").content.decode()
    assert 'data-state="waiting"' in waiting and "js/join.js" in waiting
    plex_server.tv.sign_in(pin_id, "gina", "gina@plex.example")
    page = visitor.get(f"/j/{plex_invite.code}").content.decode()
    assert "Signed in with Plex as <strong>gina</strong>" in page
    assert 'name="email"' not in page  # the address comes from Plex now
    result = visitor.post(f"/j/{plex_invite.code}", FORM).content.decode()
    assert "Welcome, gina" in result
    emails = [share["email"] for share in plex_server.state.shares.values()]
    assert emails == ["gina@plex.example"]
    assert plex_invite.code not in visitor.session.get(plex_signin.SESSION_KEY, {})


def test_the_poll_endpoint_tells_the_page_when_the_pin_is_approved(plex_invite, plex_server):
    visitor = Client()
    url = f"/j/{plex_invite.code}/plex/status"
    assert visitor.get(url).json() == {"status": "none", "username": ""}
    pin_id = start(visitor, plex_invite.code)
    assert visitor.get(url).json()["status"] == "waiting"
    token = plex_server.tv.sign_in(pin_id, "gina", "gina@plex.example")
    answer = visitor.get(url)
    assert answer.json() == {"status": "signed_in", "username": "gina"}
    assert token not in answer.content.decode()


def test_a_pin_id_is_never_taken_from_the_client(plex_invite, plex_server):
    owner = Client()
    pin_id = start(owner, plex_invite.code)
    plex_server.tv.sign_in(pin_id, "gina", "gina@plex.example")
    stranger = Client()
    answer = stranger.get(f"/j/{plex_invite.code}/plex/status", {"pin_id": pin_id})
    assert answer.json()["status"] == "none"
    page = stranger.get(f"/j/{plex_invite.code}", {"pin_id": pin_id}).content.decode()
    assert "gina@plex.example" not in page


def test_an_expired_pin_asks_to_sign_in_again(plex_invite, plex_server):
    visitor = Client()
    pin_id = start(visitor, plex_invite.code)
    del plex_server.state.pins[pin_id]
    page = visitor.get(f"/j/{plex_invite.code}").content.decode()
    assert "The Plex sign-in expired" in page and 'data-state="expired"' in page
    assert visitor.get(f"/j/{plex_invite.code}/plex/status").json()["status"] == "none"


def test_plex_tv_down_keeps_the_typed_email_fallback(plex_invite, plex_server, monkeypatch):
    monkeypatch.setattr("invitations.clients.plex.PLEX_TV_URL", "http://127.0.0.1:9")
    response = Client().post(f"/j/{plex_invite.code}/plex")
    assert response.status_code == 502
    html = response.content.decode()
    assert "Plex could not be reached" in html and 'name="email"' in html
    assert "127.0.0.1" not in html


def test_without_plex_sign_in_the_typed_email_is_shared(plex_invite, plex_server):
    Client().post(f"/j/{plex_invite.code}", FORM)
    assert [s["email"] for s in plex_server.state.shares.values()] == ["typed@example.org"]


def test_unknown_codes_on_the_plex_endpoints_are_rate_limited(plex_invite):
    visitor = Client()
    statuses = [visitor.get(f"/j/GUESS{n:07d}/plex/status").status_code for n in range(6)]
    assert statuses[:5] == [404] * 5 and statuses[5] == 429
    assert visitor.get("/j/GUESS0000009/plex/status")["Retry-After"]
    assert visitor.post(f"/j/{plex_invite.code}/plex").status_code == 429


def test_starting_on_a_used_invitation_shows_the_closed_page(plex_invite, plex_server):
    Client().post(f"/j/{plex_invite.code}", FORM)
    response = Client().post(f"/j/{plex_invite.code}/plex")
    assert response.status_code == 410
    assert 'data-reason="used"' in response.content.decode()


def test_starting_a_plex_sign_in_needs_the_csrf_token(plex_invite):
    assert Client(enforce_csrf_checks=True).post(f"/j/{plex_invite.code}/plex").status_code == 403

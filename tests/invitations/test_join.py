"""The public join page `/j/<code>`: what it shows, the form, friendly pages for invalid, used
and expired codes that reveal nothing else, and the shared login rate limit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from invitations.models import Invitation, MediaUser
from tests.invitations.conftest import SECRET_TOKEN

pytestmark = pytest.mark.django_db

FORM = {"username": "alice", "password": "long-enough-pw", "email": "alice@example.com"}


@pytest.fixture
def visitor():
    return Client(enforce_csrf_checks=False)


def test_the_page_shows_the_servers_and_libraries_granted(visitor, two_servers, invite):
    jelly, _navi = two_servers
    created = invite(library_ids=[jelly.libraries.get().pk], duration="30")
    response = visitor.get(f"/j/{created.code.lower()}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Jelly" in html and "Movies" in html
    assert "Navi" not in html  # not granted
    assert "30 days" in html
    assert SECRET_TOKEN not in html and jelly.server_url not in html


def test_plex_tells_the_invitee_their_email_is_used_to_share(visitor, make_server, invite):
    make_server("Plexy", "plex")
    html = visitor.get(f"/j/{invite().code}").content.decode()
    assert "enter the e-mail address of your Plex account" in html
    assert "Sign in with Plex" in html
    assert 'type="email" autocomplete="email" maxlength="254"' in html


def test_joining_creates_the_accounts_and_shows_each_server(
    visitor, fake_clients, two_servers, invite
):
    created = invite(unlimited=False)
    response = visitor.post(f"/j/{created.code}", FORM)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Welcome, alice" in html
    assert html.count('data-status="done"') == 2
    assert MediaUser.objects.count() == 2
    again = visitor.get(f"/j/{created.code}")
    assert again.status_code == 410
    assert "already been used" in again.content.decode()


def test_a_failed_server_is_shown_with_a_way_to_retry(visitor, fake_clients, two_servers, invite):
    _jelly, navi = two_servers
    fake_clients.fail(navi.server_url, "create", kind="unreachable")
    created = invite(unlimited=False)
    html = visitor.post(f"/j/{created.code}", FORM).content.decode()
    assert "Almost there" in html and 'data-status="failed"' in html
    assert f'href="/j/{created.code}"' in html
    assert navi.server_url not in html


def test_bad_form_values_show_the_form_again_with_the_reason(visitor, make_server, invite):
    make_server()
    created = invite()
    response = visitor.post(f"/j/{created.code}", {**FORM, "password": "short"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "The password must be" in html
    assert 'value="alice"' in html
    assert 'value="short"' not in html  # a password is never sent back


@pytest.mark.parametrize("kind", ["invalid", "used", "expired"])
def test_unusable_codes_get_a_friendly_page_revealing_nothing_else(
    visitor, make_server, invite, kind
):
    make_server("Secret Server Name")
    created = invite(unlimited=False)
    code = created.code
    if kind == "invalid":
        code = "ZZZZZZZZZZZZ"
    elif kind == "used":
        Invitation.objects.filter(pk=created.pk).update(used_at=timezone.now())
    else:
        Invitation.objects.filter(pk=created.pk).update(expires=timezone.now() - timedelta(1))
    for response in (visitor.get(f"/j/{code}"), visitor.post(f"/j/{code}", FORM)):
        assert response.status_code in (404, 410)
        html = response.content.decode()
        assert f'data-reason="{kind}"' in html
        assert "Secret Server Name" not in html
        assert 'id="main-nav"' not in html


def test_guessing_codes_is_rate_limited_like_logins(visitor, make_server, invite):
    make_server()
    statuses = [visitor.get(f"/j/GUESS{n:07d}").status_code for n in range(7)]
    assert statuses[:5] == [404] * 5
    assert statuses[-1] == 429
    throttled = visitor.get(f"/j/{invite().code}")  # the valid page is still shown
    assert throttled.status_code == 200
    blocked = visitor.post(f"/j/{invite().code}", FORM)
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.content.decode()
    assert blocked["Retry-After"]


def test_the_join_form_needs_its_csrf_token(make_server, invite):
    make_server()
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(f"/j/{invite().code}", FORM).status_code == 403

"""Signing an invitee in with Plex through the PIN flow, against the fake plex.tv."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs

import pytest

from invitations.clients.base import ClientError
from invitations.clients.plex_pin import pin_token, plex_account, start_pin


def test_a_pin_gives_the_app_plex_tv_url_with_its_code(plex_server):
    pin = start_pin(forward_url="http://nomarr.local/j/ABCDEFGHJK")
    assert pin.auth_url.startswith("https://app.plex.tv/auth#?")
    query = parse_qs(pin.auth_url.split("#?", 1)[1])
    assert query["code"] == [pin.code]
    assert query["clientID"] == ["nomarr-invitations"]
    assert query["forwardUrl"] == ["http://nomarr.local/j/ABCDEFGHJK"]
    assert len(pin.code) > 4  # a strong PIN


def test_a_pin_not_yet_approved_has_no_token(plex_server):
    pin = start_pin()
    assert pin_token(pin.pin_id) is None


def test_an_approved_pin_gives_the_invitees_account(plex_server):
    pin = start_pin()
    plex_server.tv.sign_in(pin.pin_id, "gina", "gina@example.org")
    token = pin_token(pin.pin_id)
    assert token
    account = plex_account(token)
    assert (account.username, account.email) == ("gina", "gina@example.org")


def test_an_unknown_or_expired_pin_is_not_found(plex_server):
    with pytest.raises(ClientError) as caught:
        pin_token(424242)
    assert caught.value.kind == "not_found"


def test_a_token_plex_tv_does_not_know_is_an_auth_error(plex_server):
    with pytest.raises(ClientError) as caught:
        plex_account("not-a-token")
    assert caught.value.kind == "auth"


def test_the_invitees_token_is_never_logged(plex_server, caplog):
    caplog.set_level(logging.DEBUG)
    pin = start_pin()
    token = plex_server.tv.sign_in(pin.pin_id, "hal", "hal@example.org")
    plex_account(pin_token(pin.pin_id) or "")
    assert token not in "\n".join(record.getMessage() for record in caplog.records)

"""The shared HTTP helper: transport failures become ClientErrors of the right kind (TLS,
unreachable, invalid URL), reasons name the server but never a URL's user:password part."""

from __future__ import annotations

import pytest

from invitations.clients.base import ClientError
from invitations.clients.http import HttpSession, display_url
from tests.support.mediaservers.mediabrowser import JellyfinFake
from tests.support.tls import self_signed_context


def test_a_self_signed_certificate_is_a_tls_error(tmp_path):
    fake = JellyfinFake().start(tls=self_signed_context(tmp_path))
    try:
        with pytest.raises(ClientError) as caught:
            HttpSession("Jellyfin", fake.url, timeout=5).json("GET", "/System/Info/Public")
    finally:
        fake.stop()
    assert caught.value.kind == "tls"
    assert "certificate" in caught.value.reason
    assert caught.value.reason.startswith(f"Jellyfin at {fake.url}:")


def test_an_unknown_host_name_is_unreachable():
    with pytest.raises(ClientError) as caught:
        HttpSession("Emby", "http://nomarr-test.invalid", timeout=5).request("GET", "/")
    assert caught.value.kind == "unreachable"


def test_a_url_that_is_not_one_is_unreachable_with_a_clear_reason():
    with pytest.raises(ClientError) as caught:
        HttpSession("Plex", "not a url", timeout=5).request("GET", "/identity")
    assert caught.value.kind == "unreachable"


def test_reasons_never_show_the_user_and_password_of_a_url():
    assert display_url("http://admin:s3cret@music.local:4533/") == "http://music.local:4533"
    session = HttpSession("Navidrome", "http://admin:s3cret@127.0.0.1:9", timeout=1)
    with pytest.raises(ClientError) as caught:
        session.request("GET", "/auth/login")
    assert "s3cret" not in caught.value.reason


def test_a_servers_message_is_quoted_with_secrets_redacted():
    fake = JellyfinFake().start()
    fake.fail(500, body={"Message": "token abc123 rejected"})
    try:
        with pytest.raises(ClientError) as caught:
            HttpSession("Jellyfin", fake.url, timeout=5, secrets=["abc123"]).request("GET", "/x")
    finally:
        fake.stop()
    assert caught.value.kind == "refused"
    assert caught.value.reason.endswith("(500): token ••• rejected")

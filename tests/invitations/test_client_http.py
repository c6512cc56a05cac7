"""The shared HTTP helper: transport failures become ClientErrors of the right kind (TLS,
unreachable, invalid URL), reasons name the server but never a URL's user:password part."""

from __future__ import annotations

import datetime
import ssl
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from invitations.clients.base import ClientError
from invitations.clients.http import HttpSession, display_url
from tests.support.mediaservers.mediabrowser import JellyfinFake


def self_signed_context(folder: Path) -> ssl.SSLContext:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context


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

"""Media-server credentials at rest: encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under a
key derived from Django's SECRET_KEY, so a copy of the database alone reveals no token.

Rotating SECRET_KEY makes stored credentials unreadable: `decrypt` then raises
`CredentialsUnreadable` and the owner enters them again (the server page says so)."""

from __future__ import annotations

import json

from cryptography.fernet import Fernet, InvalidToken

from nomarr_site import sealing

# A fixed context string: the same SECRET_KEY yields unrelated keys for other purposes.
CONTEXT = b"nomarr.invitations.credentials.v1"


class CredentialsUnreadable(Exception):
    """The stored credentials do not decrypt (SECRET_KEY changed, or the row was altered)."""


def _fernet() -> Fernet:
    return sealing.fernet(CONTEXT)


def encrypt(values: dict[str, str]) -> str:
    """`values` (token, username, password) as one encrypted text."""
    return _fernet().encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def decrypt(token: str) -> dict[str, str]:
    """The values `encrypt` was given; `{}` for an empty text."""
    if not token:
        return {}
    try:
        return dict(json.loads(_fernet().decrypt(token.encode())))
    except (InvalidToken, ValueError) as exc:
        raise CredentialsUnreadable(
            "The stored credentials cannot be read (was the secret key changed?); enter them again"
        ) from exc
